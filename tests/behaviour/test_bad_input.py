"""Bad input: forged requests and cookies get a 4xx and write nothing."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from orders.models import Order

from workshop.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_client():
    """A browser whose forms carry no CSRF token, as a forged cross-site post would."""
    return Client(enforce_csrf_checks=True)


def test_adding_to_the_cart_without_a_csrf_token_is_refused(strict_client, product):
    url = reverse("cart_add", args=[product.pk])

    response = strict_client.post(url, {"product_id": product.pk, "quantity": 1})

    assert response.status_code == 403
    assert b"expired" in response.content
    assert not strict_client.get(reverse("cart")).context["cart"]


def test_checkout_without_a_csrf_token_places_no_order(strict_client, customer, product):
    strict_client.force_login(customer)

    response = strict_client.post(reverse("checkout"))

    assert response.status_code == 403
    assert Order.objects.count() == 0


def test_registering_without_a_csrf_token_creates_no_account(strict_client):
    data = {"username": "mallory", "password1": "x-long-pass-77", "password2": "x-long-pass-77"}

    assert strict_client.post(reverse("register"), data).status_code == 403
    assert not User.objects.filter(username="mallory").exists()


def test_logging_in_without_a_csrf_token_is_refused(strict_client, customer):
    data = {"username": customer.username, "password": TEST_PASSWORD}

    assert strict_client.post(reverse("login"), data).status_code == 403


@pytest.mark.parametrize("cookie", ["forged", "x" * 4000, "../../etc/passwd", "\x00", "' OR 1=1"])
def test_a_forged_session_cookie_is_treated_as_no_session(client, customer, cookie):
    client.force_login(customer)
    client.cookies["sessionid"] = cookie

    response = client.get(reverse("cart"))

    assert response.status_code == 200
    assert b"Log in" in response.content
    assert b"Alice" not in response.content


def test_a_stale_session_is_treated_as_no_session(client, customer):
    client.force_login(customer)
    client.session.flush()  # the server forgets it; the browser still sends the cookie

    response = client.get(reverse("orders"))

    assert response.status_code == 302


@pytest.mark.parametrize("url", ["/cart/add/abc/", "/cart/add/-1/", "/orders/abc/", "/p/%00/"])
def test_odd_ids_in_paths_are_a_404(client, url):
    assert client.get(url).status_code == 404


def test_an_order_id_that_does_not_exist_is_a_404(customer_client):
    assert customer_client.get("/orders/99999999/").status_code == 404
