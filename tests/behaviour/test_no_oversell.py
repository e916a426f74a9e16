"""No overselling: concurrent checkouts on a real database never sell more than the stock."""

import threading
import uuid

import pytest
from cart.cart import cart_get
from django.db import connection
from orders.models import Order
from orders.services import CheckoutError, order_place

from workshop.testing.factories import CustomerFactory, ProductFactory

CUSTOMERS = 8


class Session(dict):
    """A stand-in for request.session: the cart reads and writes a dict."""


@pytest.mark.django_db(transaction=True)
def test_concurrent_checkouts_never_sell_more_than_the_stock(mariadb):
    product = ProductFactory(stock=3)
    customers = CustomerFactory.create_batch(CUSTOMERS)
    carts = []
    for _ in customers:
        session = Session(cart={str(product.pk): 1})
        carts.append(cart_get(session=session))
    start = threading.Barrier(CUSTOMERS)
    outcomes = []

    def checkout(customer, cart):
        try:
            start.wait()
            order_place(customer=customer, cart=cart, checkout_key=uuid.uuid4())
            outcomes.append("sold")
        except CheckoutError:
            outcomes.append("sold out")
        finally:
            connection.close()  # each thread has its own connection

    threads = [
        threading.Thread(target=checkout, args=pair) for pair in zip(customers, carts, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    product.refresh_from_db()
    assert sorted(outcomes) == ["sold"] * 3 + ["sold out"] * (CUSTOMERS - 3)
    assert product.stock == 0
    assert Order.objects.count() == 3
