"""Stage 03's bad input: forged, truncated or unknown session cookies, products gone from
the shop, quantities out of range. Each gets a 4xx or a fresh session, never a 500, and
writes nothing: no session, no cart, no line, and nobody else's cart is reached."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from orders.models import Order

from workshop.testing.factories import ProductFactory

pytestmark = [pytest.mark.lesson, pytest.mark.django_db]

COOKIE = settings.SESSION_COOKIE_NAME


def add(client, product, quantity):
    url = reverse("cart_add", args=[product.pk])
    return client.post(url, {"product_id": product.pk, "quantity": quantity})


@pytest.fixture
def victim(product, cart_rows) -> str:
    """A visitor with a cart in the database; their session key, which nobody else has."""
    client = Client()
    assert add(client, product, 2).status_code == 302
    assert cart_rows(customer__isnull=True) == {product.pk: 2}
    return client.cookies[COOKIE].value


@pytest.mark.parametrize("cookie", ["truncated", "lengthened", "forged"])
def test_a_forged_or_truncated_session_cookie_reaches_no_cart_and_writes_nothing(
    victim, product, cookie, rows_written, cart_rows
):
    before = rows_written()
    attacker = Client()
    attacker.cookies[COOKIE] = {
        "truncated": victim[:-1],
        "lengthened": victim + "0",
        "forged": "0" * len(victim),
    }[cookie]

    page = attacker.get(reverse("cart"))

    assert page.status_code == 200
    assert not page.context["cart"] and b"Cart (0)" in page.content
    assert rows_written() == before
    assert cart_rows(customer__isnull=True) == {product.pk: 2}


def test_a_session_from_a_server_that_no_longer_exists_starts_a_fresh_one(
    product, rows_written, cart_rows
):
    """A cookie of a session kept on a server now gone: a well-formed key nobody knows."""
    gone = "k" * 32
    client = Client()
    client.cookies[COOKIE] = gone
    before = rows_written()

    assert client.get(reverse("cart")).status_code == 200
    assert client.get(reverse("orders")).status_code == 302  # to the login page
    assert rows_written() == before
    assert add(client, product, 1).status_code == 302

    fresh = client.cookies[COOKIE].value
    assert fresh != gone, "the unknown key must not be taken over"
    assert cart_rows(session_key=fresh) == {product.pk: 1}
    assert cart_rows(session_key=gone) == {}


@pytest.mark.parametrize("quantity", ["0", "-1", "11", "99999999999999999999", "abc", "6"])
def test_a_quantity_out_of_range_writes_no_session_and_no_cart(product, quantity, rows_written):
    """The product fixture has 5 in stock, so 6 is out of range too."""
    client = Client()
    before = rows_written()

    response = add(client, product, quantity)

    assert response.status_code == 400
    assert COOKIE not in response.cookies
    assert rows_written() == before


@pytest.mark.parametrize("more", [1, 4], ids=["over 10 in all", "over the stock in all"])
def test_adding_past_a_limit_changes_no_line(customer_client, customer, more, cart_rows):
    tv, few = ProductFactory(stock=50), ProductFactory(stock=9)
    add(customer_client, tv, 10)
    add(customer_client, few, 6)
    product = tv if more == 1 else few

    response = add(customer_client, product, more)

    assert response.status_code == 400
    assert cart_rows(customer=customer) == {tv.pk: 10, few.pk: 6}


def test_a_cart_line_for_a_product_that_is_gone_drops_out_and_cannot_be_changed(
    customer_client, customer, cart_rows, place_order
):
    kept, gone = ProductFactory(stock=5), ProductFactory(stock=5)
    add(customer_client, kept, 1)
    add(customer_client, gone, 2)
    gone_pk = gone.pk
    gone.delete()

    change = customer_client.post(reverse("cart_change"), {"product_id": gone_pk, "quantity": 3})

    assert change.status_code == 404
    assert cart_rows(customer=customer) == {kept.pk: 1}
    assert customer_client.get(reverse("cart")).status_code == 200
    assert place_order(customer_client).status_code == 302
    assert [line.product_id for line in Order.objects.get().lines.all()] == [kept.pk]
