"""Accounts: register, log in, log out; the cart survives logging in."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from workshop.testing.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NEW_CUSTOMER = {
    "username": "newcustomer",
    "first_name": "Noor",
    "email": "noor@example.com",
    "password1": "a-long-unusual-pass-42",
    "password2": "a-long-unusual-pass-42",
}


def test_registering_creates_the_account_and_logs_in(client):
    response = client.post(reverse("register"), NEW_CUSTOMER)

    assert response.status_code == 302
    assert User.objects.filter(username="newcustomer").exists()
    assert b"Hello, Noor" in client.get(reverse("orders")).content


def test_a_registration_with_mismatched_passwords_creates_nothing(client):
    response = client.post(reverse("register"), NEW_CUSTOMER | {"password2": "different"})

    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert not User.objects.filter(username="newcustomer").exists()


def test_a_customer_logs_in_with_the_right_password(client, customer):
    response = client.post(
        reverse("login"), {"username": customer.username, "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    assert b"Hello, Alice" in client.get(reverse("home")).content


def test_a_wrong_password_shows_the_form_again(client, customer):
    response = client.post(reverse("login"), {"username": customer.username, "password": "nope"})

    assert b"errorlist" in response.content
    assert "_auth_user_id" not in client.session


def test_logging_out_needs_a_post_and_ends_the_session(customer_client):
    assert customer_client.get(reverse("logout")).status_code == 405

    customer_client.post(reverse("logout"))

    assert b"Log in" in customer_client.get(reverse("cart")).content


def test_the_cart_survives_logging_in(client, customer, product):
    url = reverse("cart_add", args=[product.pk])
    client.post(url, {"product_id": product.pk, "quantity": 2})

    client.post(reverse("login"), {"username": customer.username, "password": TEST_PASSWORD})

    assert client.get(reverse("cart")).context["cart"].count == 2


def test_my_orders_needs_a_login(client):
    response = client.get(reverse("orders"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
