from django.contrib import admin

from .models import Category, Product, Review


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class ReviewInline(admin.TabularInline):
    # Reviews are edited with their product: saving it is what retires its cached pages.
    model = Review
    extra = 0
    fields = ["created", "author", "rating", "title", "body"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    inlines = [ReviewInline]
    list_display = ["name", "brand", "category", "price", "stock", "featured"]
    list_editable = ["price", "stock", "featured"]
    list_filter = ["category", "featured", "brand"]
    list_select_related = ["category"]
    search_fields = ["name", "brand"]
    prepopulated_fields = {"slug": ["name"]}
    list_per_page = 50
