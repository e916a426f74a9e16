"""The cart: add, change the quantity, remove; bad quantities change nothing."""

import pytest
from django.urls import reverse

from workshop.testing.factories import ProductFactory

pytestmark = pytest.mark.django_db


def add(client, product, quantity):
    url = reverse("cart_add", args=[product.pk])
    return client.post(url, {"product_id": product.pk, "quantity": quantity})


def change(client, product_id, quantity):
    return client.post(reverse("cart_change"), {"product_id": product_id, "quantity": quantity})


def cart_of(client):
    return {
        line.product.pk: line.quantity for line in client.get(reverse("cart")).context["cart"].lines
    }


def test_the_add_page_offers_a_quantity_form(client, product):
    response = client.get(reverse("cart_add", args=[product.pk]))

    assert response.status_code == 200
    assert b'name="quantity"' in response.content


def test_adding_a_product_puts_it_in_the_cart(client, product):
    response = add(client, product, 2)

    assert response.status_code == 302
    assert cart_of(client) == {product.pk: 2}


def test_adding_the_same_product_again_adds_to_its_quantity(client, product):
    add(client, product, 1)
    add(client, product, 2)

    assert cart_of(client) == {product.pk: 3}


def test_the_cart_shows_lines_and_total(client):
    tv = ProductFactory(name="Big TV", price="500.00")
    cable = ProductFactory(name="Cable", price="9.50")
    add(client, tv, 1)
    add(client, cable, 2)

    cart = client.get(reverse("cart")).context["cart"]

    assert str(cart.total) == "519.00"
    assert cart.count == 3


def test_changing_the_quantity_replaces_it(client, product):
    add(client, product, 1)

    change(client, product.pk, 4)

    assert cart_of(client) == {product.pk: 4}


def test_a_quantity_of_zero_removes_the_line(client, product):
    add(client, product, 1)

    change(client, product.pk, 0)

    assert cart_of(client) == {}


@pytest.mark.parametrize("quantity", ["abc", "", "-1", "0", "1.5", "11", "99999999999999999999"])
def test_a_bad_quantity_is_refused_and_changes_nothing(client, product, quantity):
    add(client, product, 1)

    response = add(client, product, quantity)

    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert cart_of(client) == {product.pk: 1}


def test_more_than_the_stock_is_refused_with_a_message(client):
    product = ProductFactory(stock=3)

    response = add(client, product, 4)

    assert response.status_code == 400
    assert b"Only 3" in response.content
    assert cart_of(client) == {}


@pytest.mark.parametrize("quantity", ["abc", "-2", "11"])
def test_a_bad_change_is_refused_and_changes_nothing(client, product, quantity):
    add(client, product, 2)

    response = change(client, product.pk, quantity)

    assert response.status_code == 400
    assert cart_of(client) == {product.pk: 2}


@pytest.mark.parametrize("product_id", ["999999", "abc", "-1", ""])
def test_changing_an_unknown_product_is_refused(client, product, product_id):
    add(client, product, 1)

    response = change(client, product_id, 1)

    assert response.status_code in (400, 404)
    assert cart_of(client) == {product.pk: 1}


def test_adding_an_unknown_product_is_a_404_and_writes_nothing(client):
    response = client.post("/cart/add/999999/", {"product_id": 999999, "quantity": 1})

    assert response.status_code == 404
    assert "sessionid" not in response.cookies


def test_changing_the_cart_needs_a_post(client):
    assert client.get(reverse("cart_change")).status_code == 405


def test_a_product_removed_from_the_shop_drops_out_of_the_cart(client, product):
    other = ProductFactory()
    add(client, product, 1)
    add(client, other, 1)

    other.delete()

    assert cart_of(client) == {product.pk: 1}
