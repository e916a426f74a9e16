"""One order per checkout: the checkout form carries a one-time key, which the database
holds once, so a double click or a retry never places a second order nor takes stock twice."""

import threading
import time
import uuid

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from orders.models import Order

from workshop.catalogue.models import Product
from workshop.testing.factories import ProductFactory
from workshop.testing.forms import checkout_form

CLICKS = 2


def add(client, product, quantity=1):
    url = reverse("cart_add", args=[product.pk])
    assert client.post(url, {"product_id": product.pk, "quantity": quantity}).status_code == 302


def cart_of(client) -> dict:
    """The cart as its page shows it, wherever a stage keeps it: {product id: quantity}."""
    lines = client.get(reverse("cart")).context["cart"].lines
    return {str(line.product.pk): line.quantity for line in lines}


class Waits:
    """Which threads wait on the database just now, and since when."""

    STUCK = 0.2  # seconds: far longer than any statement of a checkout takes unblocked

    def __init__(self):
        self.since: dict[int, float] = {}

    def __call__(self, execute, sql, params, many, context):  # a connection.execute_wrapper
        self.since[threading.get_ident()] = time.monotonic()
        try:
            return execute(sql, params, many, context)
        finally:
            del self.since[threading.get_ident()]

    def stuck(self) -> int:
        now = time.monotonic()
        return sum(now - since > self.STUCK for since in list(self.since.values()))


def wait_until(condition, *, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the clicks never got that far"
        time.sleep(0.01)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_posts_of_one_checkout_make_one_order_and_take_stock_once(
    mariadb, customer
):
    """A double click on "Place order": two POSTs of one form at the same moment, each on
    its own connection, as two app server workers would serve them."""
    product = ProductFactory(stock=5)
    browser = Client()
    browser.force_login(customer)
    add(browser, product, 2)
    form = checkout_form(browser)
    start, waits = threading.Barrier(CLICKS), Waits()
    responses = []

    def click():
        tab = Client()  # a client of its own per thread, in the browser's session
        tab.cookies["sessionid"] = browser.cookies["sessionid"].value
        try:
            start.wait()
            with connection.execute_wrapper(waits):
                responses.append(tab.post(reverse("checkout"), form))
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=click) for _ in range(CLICKS)]
    # Holding the product's row keeps the first click from finishing before the second
    # has begun (a checkout takes stock): let go once both wait on the database.
    with transaction.atomic():
        Product.objects.select_for_update().get(pk=product.pk)
        for thread in threads:
            thread.start()
        wait_until(lambda: waits.stuck() == CLICKS)
    for thread in threads:
        thread.join(timeout=60)

    order = Order.objects.get()
    assert [r.status_code for r in responses] == [302] * CLICKS
    assert {r.url for r in responses} == {order.get_absolute_url()}
    assert order.lines.get().quantity == 2
    product.refresh_from_db()
    assert product.stock == 3
    assert cart_of(browser) == {}


@pytest.mark.django_db
def test_a_retried_checkout_answers_with_the_order_already_placed(customer_client, product):
    add(customer_client, product)
    form = checkout_form(customer_client)
    first = customer_client.post(reverse("checkout"), form)

    again = customer_client.post(reverse("checkout"), form, follow=True)

    order = Order.objects.get()
    assert first.url == order.get_absolute_url()
    assert again.redirect_chain == [(order.get_absolute_url(), 302)]
    assert f"Order {order.pk} was already placed".encode() in again.content
    product.refresh_from_db()
    assert product.stock == 4


@pytest.mark.django_db
def test_a_checkout_retried_after_the_back_button_keeps_what_the_cart_holds_now(
    customer_client, product
):
    """The customer placed an order, shopped on, then went back and posted the old form:
    the old order answers, and the new cart is neither ordered nor emptied."""
    add(customer_client, product)
    form = checkout_form(customer_client)
    customer_client.post(reverse("checkout"), form)
    later = ProductFactory(stock=5)
    add(customer_client, later, 3)

    response = customer_client.post(reverse("checkout"), form)

    assert response.url == Order.objects.get().get_absolute_url()
    assert cart_of(customer_client) == {str(later.pk): 3}
    later.refresh_from_db()
    assert later.stock == 5


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [{}, {"checkout_key": ""}, {"checkout_key": "abc"}, {"checkout_key": "1" * 5000}],
    ids=["missing", "empty", "malformed", "very long"],
)
def test_a_checkout_without_a_valid_key_is_refused_and_writes_nothing(
    customer_client, product, fields
):
    add(customer_client, product)

    response = customer_client.post(reverse("checkout"), fields)

    assert response.status_code == 400
    assert b"out of date" in response.content
    assert Order.objects.count() == 0
    assert cart_of(customer_client) == {str(product.pk): 1}
    product.refresh_from_db()
    assert product.stock == 5


@pytest.mark.django_db
def test_the_key_of_someone_elses_order_is_refused_and_reveals_nothing(
    client, customer, other_customer, product
):
    client.force_login(other_customer)
    add(client, ProductFactory(name="Bruno's Secret Projector"))
    theirs = checkout_form(client)
    client.post(reverse("checkout"), theirs)
    their_order = Order.objects.get()
    client.force_login(customer)
    add(client, product)

    response = client.post(reverse("checkout"), theirs)

    assert response.status_code == 400
    assert b"out of date" in response.content
    assert b"Secret Projector" not in response.content
    assert their_order.get_absolute_url().encode() not in response.content
    assert list(Order.objects.all()) == [their_order]
    assert cart_of(client) == {str(product.pk): 1}
    product.refresh_from_db()
    assert product.stock == 5


@pytest.mark.django_db
def test_a_new_showing_of_the_checkout_page_carries_a_new_key(customer_client, product):
    add(customer_client, product)

    keys = {checkout_form(customer_client)["checkout_key"] for _ in range(3)}

    assert len(keys) == 3
    assert all(uuid.UUID(key) for key in keys)
