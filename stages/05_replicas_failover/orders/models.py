from django.conf import settings
from django.db import models
from django.urls import reverse

from workshop.catalogue.models import Product


class Order(models.Model):
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    created = models.DateTimeField(auto_now_add=True)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    # The checkout form's one-time key (see services.order_place). Unique in the database,
    # so that the database itself, whatever the timing, refuses a second order from one
    # checkout. Orders from before the key (or made in the admin) have none: NULLs never clash.
    checkout_key = models.UUIDField(unique=True, null=True, editable=False)
    # The address the receipt went to, as it was at checkout (a customer may change theirs
    # later). Stage 05's change in two deploys (README, "Migration rules"): NULL while the
    # code before this deploy still places orders without it; deploys/next/ makes it
    # required once every running server writes it. NULL means "not known yet", not "".
    email = models.EmailField(null=True, editable=False)  # noqa: DJ001

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"Order {self.pk}"

    def get_absolute_url(self):
        return reverse("order", kwargs={"pk": self.pk})


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    # Name and price as sold: later catalogue changes must not rewrite history.
    product_name = models.CharField(max_length=200)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()

    def __str__(self):
        return f"{self.quantity} × {self.product_name}"

    @property
    def total(self):
        return self.unit_price * self.quantity
