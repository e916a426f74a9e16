from django.contrib import admin

from .models import Cart, CartLine


class CartLineInline(admin.TabularInline):
    model = CartLine
    extra = 0
    raw_id_fields = ["product"]


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ["pk", "customer", "session_key", "created"]
    list_select_related = ["customer"]
    # Whose cart it is: shown, never edited (a cart has one owner, a customer or a session,
    # and a form that asked for both could never be saved).
    readonly_fields = ["customer", "session_key", "created"]
    inlines = [CartLineInline]
