"""Checkout: an order and its lines, stock taken, all in one transaction."""

import pytest
from django.urls import reverse
from orders.models import Order

from workshop.testing.factories import ProductFactory
from workshop.testing.forms import checkout_form, order_place

pytestmark = pytest.mark.django_db


def add(client, product, quantity=1):
    url = reverse("cart_add", args=[product.pk])
    assert client.post(url, {"product_id": product.pk, "quantity": quantity}).status_code == 302


def test_checkout_asks_visitors_to_log_in_first(client, product):
    add(client, product)

    response = client.post(reverse("checkout"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert Order.objects.count() == 0


def test_checkout_shows_the_order_to_confirm(customer_client, product):
    add(customer_client, product, 2)

    response = customer_client.get(reverse("checkout"))

    assert b"Place order" in response.content
    assert product.name.encode() in response.content


def test_placing_the_order_records_its_lines_and_takes_stock(customer_client, customer):
    tv = ProductFactory(price="400.00", stock=5)
    cable = ProductFactory(price="5.00", stock=50)
    add(customer_client, tv, 2)
    add(customer_client, cable, 3)

    response = order_place(customer_client)

    order = Order.objects.get()
    assert response.status_code == 302 and response.url == order.get_absolute_url()
    assert order.customer == customer
    assert str(order.total) == "815.00"
    assert sorted((line.product_id, line.quantity) for line in order.lines.all()) == sorted(
        [(tv.pk, 2), (cable.pk, 3)]
    )
    tv.refresh_from_db()
    cable.refresh_from_db()
    assert (tv.stock, cable.stock) == (3, 47)


def test_the_cart_is_empty_after_the_order(customer_client, product):
    add(customer_client, product)
    order_place(customer_client)

    assert not customer_client.get(reverse("cart")).context["cart"]


def test_an_empty_cart_places_no_order(customer_client, product):
    add(customer_client, product)
    form = checkout_form(customer_client)
    customer_client.post(reverse("cart_change"), {"product_id": product.pk, "quantity": 0})

    response = customer_client.post(reverse("checkout"), form)

    assert response.status_code == 409
    assert b"empty" in response.content
    assert Order.objects.count() == 0


def test_a_line_that_sold_out_meanwhile_cancels_the_whole_order(customer_client):
    plenty = ProductFactory(stock=10)
    scarce = ProductFactory(stock=2, name="Last One")
    add(customer_client, plenty, 1)
    add(customer_client, scarce, 2)
    scarce.stock = 1
    scarce.save()

    response = order_place(customer_client)

    assert response.status_code == 409
    assert b"Last One" in response.content
    assert Order.objects.count() == 0
    plenty.refresh_from_db()
    assert plenty.stock == 10


def test_the_order_keeps_the_price_it_was_sold_at(customer_client, product):
    add(customer_client, product)
    order_place(customer_client)

    product.price = "1.00"
    product.save()

    line = Order.objects.get().lines.get()
    assert str(line.unit_price) == "499.99"


def test_customers_see_only_their_own_orders(client, customer, other_customer):
    from workshop.testing.factories import ProductFactory as Products

    for who in (customer, other_customer):
        client.force_login(who)
        add(client, Products())
        order_place(client)
    mine, theirs = Order.objects.get(customer=customer), Order.objects.get(customer=other_customer)

    client.force_login(customer)
    listing = client.get(reverse("orders"))

    assert list(listing.context["orders"]) == [mine]
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(mine.get_absolute_url()).status_code == 200
