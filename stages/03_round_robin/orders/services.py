from cart.services import cart_empty, cart_take
from django.db import transaction
from django.db.models import F
from pagefiles.invalidation import pages_invalidate

from workshop.catalogue.models import Product

from .models import Order, OrderLine


class CheckoutError(Exception):
    """The order cannot be placed; its message is for the customer."""


def order_place(*, customer) -> Order:
    """Turn the customer's cart into an order and take its items from stock, all or nothing.

    Each stock decrement is a conditional UPDATE (``stock >= quantity``): the database
    checks and takes in one step, so concurrent checkouts can never sell more than the
    stock, and a shortfall rolls the whole order back.

    The cart is read from the database and emptied in the order's transaction (stage 03):
    an order and its cart never disagree, whichever server placed it.
    """
    with transaction.atomic():
        cart = cart_take(customer=customer)
        if not cart:
            raise CheckoutError("Your cart is empty.")
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
        cart_empty(cart=cart)
    return order
