"""No overselling: concurrent checkouts on a real database never sell more than the stock."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from orders.models import Order

from workshop.testing.factories import CustomerFactory, ProductFactory
from workshop.testing.forms import checkout_form

CUSTOMERS = 8


def shopper_with_one_in_the_cart(customer, product) -> tuple[Client, dict]:
    """A logged-in customer's browser, one of ``product`` in the cart, and the checkout
    form's fields, as the checkout page gave them."""
    client = Client()
    client.force_login(customer)
    client.post(reverse("cart_add", args=[product.pk]), {"product_id": product.pk, "quantity": 1})
    return client, checkout_form(client)


@pytest.mark.django_db(transaction=True)
def test_concurrent_checkouts_never_sell_more_than_the_stock(mariadb):
    product = ProductFactory(stock=3)
    customers = CustomerFactory.create_batch(CUSTOMERS)
    shoppers = [shopper_with_one_in_the_cart(customer, product) for customer in customers]
    start = threading.Barrier(CUSTOMERS)
    outcomes = []

    def checkout(client, form):
        try:
            start.wait()
            status = client.post(reverse("checkout"), form).status_code
            outcomes.append({302: "sold", 409: "sold out"}.get(status, status))
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=checkout, args=shopper) for shopper in shoppers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    product.refresh_from_db()
    assert sorted(outcomes) == ["sold"] * 3 + ["sold out"] * (CUSTOMERS - 3)
    assert product.stock == 0
    assert Order.objects.count() == 3
