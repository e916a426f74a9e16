from cart.cart import Cart
from django.db import transaction
from django.db.models import F
from pagefiles.invalidation import pages_invalidate

from workshop.catalogue.models import Product

from .models import Order, OrderLine


class CheckoutError(Exception):
    """The order cannot be placed; its message is for the customer."""


def order_place(*, customer, cart: Cart) -> Order:
    """Turn the cart into an order and take its items from stock, all or nothing.

    Each stock decrement is a conditional UPDATE (``stock >= quantity``): the database
    checks and takes in one step, so concurrent checkouts can never sell more than the
    stock, and a shortfall rolls the whole order back.
    """
    if not cart:
        raise CheckoutError("Your cart is empty.")
    with transaction.atomic():
        order = Order.objects.create(customer=customer, total=cart.total)
        for line in cart.lines:
            taken = Product.objects.filter(pk=line.product.pk, stock__gte=line.quantity).update(
                stock=F("stock") - line.quantity
            )
            if not taken:
                raise CheckoutError(f"Sorry, {line.product.name} has just sold out.")
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                product=line.product,
                product_name=line.product.name,
                unit_price=line.product.price,
                quantity=line.quantity,
            )
            for line in cart.lines
        )
        # Product pages show the stock; the UPDATEs above send no signal to say so.
        pages_invalidate(line.product.get_absolute_url() for line in cart.lines)
    return order
