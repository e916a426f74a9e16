"""Stage 03's lesson, second part: the cart is rows in the database, a row per product,
changed by conditional UPDATEs, so that two additions at once, on two servers, both land;
a visitor's cart joins the customer's at login; checkout empties it with the order."""

import pytest
from django.urls import reverse
from orders.models import Order

from workshop.testing.factories import TEST_PASSWORD, ProductFactory

pytestmark = pytest.mark.lesson


def add(client, product, quantity):
    url = reverse("cart_add", args=[product.pk])
    return client.post(url, {"product_id": product.pk, "quantity": quantity})


@pytest.mark.django_db
def test_an_addition_is_one_row_per_product_in_the_database(customer_client, customer, cart_rows):
    tv, cable = ProductFactory(stock=20), ProductFactory(stock=20)

    add(customer_client, tv, 2)
    add(customer_client, tv, 3)
    add(customer_client, cable, 1)

    assert cart_rows(customer=customer) == {tv.pk: 5, cable.pk: 1}
    session_data = customer_client.session.load()
    assert not any("cart" in key for key in session_data), "the session still holds a cart"


@pytest.mark.django_db
def test_a_customer_finds_their_cart_on_their_next_visit_from_another_browser(
    customer, product, cart_rows
):
    from django.test import Client

    laptop, phone = Client(), Client()
    laptop.force_login(customer)
    add(laptop, product, 2)

    phone.force_login(customer)

    assert b"Cart (2)" in phone.get(reverse("cart")).content
    assert cart_rows(customer=customer) == {product.pk: 2}


@pytest.mark.django_db
def test_the_visitors_cart_joins_the_customers_at_login_within_the_limits(
    client, customer, cart_rows
):
    from django.test import Client

    tv, cable, scarce = ProductFactory(stock=50), ProductFactory(stock=50), ProductFactory(stock=4)
    earlier = Client()
    earlier.force_login(customer)
    add(earlier, tv, 7)
    add(earlier, scarce, 3)
    add(client, tv, 6)  # 7 + 6 is more than 10 of one product
    add(client, cable, 1)
    add(client, scarce, 3)  # 3 + 3 is more than the 4 in stock

    response = client.post(
        reverse("login"), {"username": customer.username, "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    assert cart_rows(customer=customer) == {tv.pk: 10, cable.pk: 1, scarce.pk: 4}
    assert len(cart_rows()) == 3, "the visitor's cart should be gone, merged into the customer's"


@pytest.mark.django_db
def test_checkout_empties_the_cart_in_the_orders_transaction(
    customer_client, customer, cart_rows, place_order
):
    plenty, scarce = ProductFactory(stock=10), ProductFactory(stock=2)
    add(customer_client, plenty, 1)
    add(customer_client, scarce, 2)
    scarce.stock = 1
    scarce.save()

    refused = place_order(customer_client)

    assert refused.status_code == 409
    assert cart_rows(customer=customer) == {plenty.pk: 1, scarce.pk: 2}, "a failed order keeps it"
    scarce.stock = 2
    scarce.save()
    assert place_order(customer_client).status_code == 302
    assert cart_rows(customer=customer) == {}
    assert Order.objects.get().lines.count() == 2


AT_ONCE = 4  # additions in each round: two on each server


@pytest.mark.parametrize("who", ["a visitor", "a customer"])
def test_two_additions_at_the_same_moment_on_two_servers_both_land(
    mariadb, app_servers, round_robin, shopper, who, cart_rows
):
    """Tabs, or a double click, that round robin sends to two servers at once: for each
    product, a round of additions when it is not in the cart yet (the INSERTs meet), then
    a round when it is (the UPDATEs meet). Every addition lands."""
    products, cable = ProductFactory.create_batch(3, stock=50), ProductFactory()
    if who == "a customer":
        round_robin.submit("/accounts/login/", username=shopper.username, password=TEST_PASSWORD)
    # A first product gives a visitor their session: every tab then sends the same one.
    round_robin.submit(f"/cart/add/{cable.pk}/", product_id=cable.pk, quantity=1)

    for product in products:
        for round_ in ("first", "again"):
            statuses = _add_at_once(round_robin, app_servers, product)
            assert statuses == [302] * AT_ONCE, f"{round_} additions: {statuses}"

    expected = {cable.pk: 1} | {product.pk: 2 * AT_ONCE for product in products}
    assert round_robin.cart() == expected, "an addition was lost"
    owner = {"customer": shopper} if who == "a customer" else {"customer__isnull": True}
    assert cart_rows(**owner) == expected


def _add_at_once(round_robin, servers, product) -> list[int]:
    """One more of ``product``, AT_ONCE times at the same moment, to the servers in turn."""
    token = round_robin.session.cookies["csrftoken"]
    data = {"csrfmiddlewaretoken": token, "product_id": product.pk, "quantity": 1}
    path = f"/cart/add/{product.pk}/"
    return round_robin.post_at_once([(servers[n % 2], path, data) for n in range(AT_ONCE)])


def test_checkouts_of_one_cart_at_once_place_one_order(mariadb, app_servers, round_robin, shopper):
    """Tabs on the checkout page, confirmed on both servers at the same moment: one order,
    and every other tab is told the cart is empty."""
    tv = ProductFactory(stock=5)
    round_robin.submit("/accounts/login/", username=shopper.username, password=TEST_PASSWORD)
    round_robin.submit(f"/cart/add/{tv.pk}/", product_id=tv.pk, quantity=2)
    tabs = [round_robin.form("/checkout/") for _ in range(AT_ONCE)]

    statuses = round_robin.post_at_once(
        [(app_servers[n % 2], "/checkout/", tab) for n, tab in enumerate(tabs)]
    )

    assert sorted(statuses) == [302] + [409] * (AT_ONCE - 1)
    assert Order.objects.filter(customer=shopper).count() == 1
    tv.refresh_from_db()
    assert tv.stock == 3
