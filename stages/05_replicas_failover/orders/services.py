import uuid

from cart.services import cart_empty, cart_take
from django.db import IntegrityError, transaction
from django.db.models import F
from storefront.invalidation import products_sold

from workshop.catalogue.models import Product

from .models import Order, OrderLine


class CheckoutError(Exception):
    """The order cannot be placed; its message is for the customer."""


class CheckoutKeyError(Exception):
    """The checkout key is another customer's: bad input, and that order stays unseen."""


def order_place(*, customer, checkout_key: uuid.UUID) -> tuple[Order, bool]:
    """Turn the cart into an order, once per checkout; returns the order and whether this
    call placed it (as get_or_create does).

    ``checkout_key`` comes from the checkout form, a new one each time the page is shown.
    The database holds each key once, so a second POST of the same form (a double click,
    a retry after the back button) gets the order the first one placed, and takes no stock.
    """
    # A retry comes after its order is placed and the cart emptied: the key answers first.
    placed = _order_with_key(customer=customer, checkout_key=checkout_key)
    if placed:
        return placed, False
    try:
        return _order_create(customer=customer, checkout_key=checkout_key), True
    except CheckoutError:
        # A double click on stage 03 waits for the first click's lock on the cart, then
        # finds it empty: the first click's order, committed by then, is the answer.
        placed = _order_with_key(customer=customer, checkout_key=checkout_key)
        if placed is None:
            raise
        return placed, False
    except IntegrityError:
        # Two POSTs at once both passed the check above. The unique index made our INSERT
        # wait for the other transaction, then fail once it committed, and leaving the
        # atomic block rolled back all of ours, so no stock is taken twice. Django runs
        # MariaDB at READ COMMITTED, so this read sees the other's order.
        placed = _order_with_key(customer=customer, checkout_key=checkout_key)
        if placed is None:
            raise  # not the key, so not a double click: a bug to see
        return placed, False


@transaction.atomic
def _order_create(*, customer, checkout_key: uuid.UUID) -> Order:
    """The order and its lines, and its items taken from stock, all or nothing.

    The cart is read from the database, locked, and emptied in this transaction (stage
    03): an order and its cart never disagree, whichever server placed it.

    Each stock decrement is a conditional UPDATE (``stock >= quantity``): the database
    checks and takes in one step, so concurrent checkouts can never sell more than the
    stock, and a shortfall rolls the whole order back.
    """
    cart = cart_take(customer=customer)
    if not cart:
        raise CheckoutError("Your cart is empty.")
    order = Order.objects.create(
        customer=customer, total=cart.total, checkout_key=checkout_key, email=customer.email
    )
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
    # The UPDATEs above send no signal: say what they changed. Each product's page shows
    # its stock; the listing and the home page change only for a product sold out.
    sold = [line.product for line in cart.lines]
    sold_out = Product.objects.filter(pk__in=[p.pk for p in sold], stock=0)
    products_sold(products=sold, sold_out=set(sold_out.values_list("pk", flat=True)))
    cart_empty(cart=cart)
    return order


def _order_with_key(*, customer, checkout_key: uuid.UUID) -> Order | None:
    order = Order.objects.filter(checkout_key=checkout_key).first()
    if order is not None and order.customer_id != customer.pk:
        raise CheckoutKeyError("This checkout form is not yours.")
    return order
