from django.contrib import admin

from .models import Category, Product


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "brand", "category", "price", "stock", "featured"]
    list_editable = ["price", "stock", "featured"]
    list_filter = ["category", "featured", "brand"]
    list_select_related = ["category"]
    search_fields = ["name", "brand"]
    prepopulated_fields = {"slug": ["name"]}
    list_per_page = 50
