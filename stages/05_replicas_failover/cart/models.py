"""The cart lives in the database, a row per product, so that any app server finds it and
two additions at once both land (stage 02 kept it in the session, on one server's disk)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from workshop.catalogue.models import Product

MAX_QUANTITY = 10  # per product and order: a shop, not a wholesaler


class Cart(models.Model):
    """A customer's cart, or an anonymous visitor's, found by their session key."""

    customer = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="cart"
    )
    # NULL, not "", for a customer's cart: unique allows many NULLs, but one "".
    session_key = models.CharField(max_length=40, null=True, unique=True)  # noqa: DJ001
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False, session_key__isnull=True)
                | Q(customer__isnull=True, session_key__isnull=False),
                name="cart_has_one_owner",
            )
        ]

    def __str__(self):
        return f"Cart of {self.customer or 'a visitor'}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    # A product removed from the shop drops out of every cart.
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            # One row per product: a second addition changes it, never adds a row beside it.
            models.UniqueConstraint(fields=["cart", "product"], name="cart_line_once_per_product"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                name="cart_line_quantity_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.product}"

    @property
    def total(self):
        return self.product.price * self.quantity
