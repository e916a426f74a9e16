"""`manage.py clearcarts`: an anonymous visitor's cart goes once their session has, and no
other cart does (cart/management/commands/clearcarts.py)."""

from datetime import timedelta

import pytest
from cart.models import Cart, CartLine
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone


def cart_of_a_visitor(product) -> Cart:
    """A visitor's cart as the shop makes it: their first addition, through the view."""
    visitor = Client()
    url = reverse("cart_add", args=[product.pk])
    assert visitor.post(url, {"product_id": product.pk, "quantity": 1}).status_code == 302
    return Cart.objects.get(session_key=visitor.session.session_key)


def aged(cart: Cart, hours: float) -> Cart:
    Cart.objects.filter(pk=cart.pk).update(created=timezone.now() - timedelta(hours=hours))
    return cart


def clearcarts() -> str:
    from io import StringIO

    out = StringIO()
    call_command("clearcarts", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_cart_whose_session_has_ended_goes_with_its_lines_and_no_other_cart_does(
    customer_client, customer, product
):
    ended = aged(cart_of_a_visitor(product), hours=30)
    Session.objects.filter(session_key=ended.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    call_command("clearsessions")  # Django's: the expired session's row goes
    still_browsing = aged(cart_of_a_visitor(product), hours=30)
    customer_client.post(
        reverse("cart_add", args=[product.pk]), {"product_id": product.pk, "quantity": 1}
    )
    aged(Cart.objects.get(customer=customer), hours=30)

    assert clearcarts() == "1 abandoned cart deleted\n"

    assert not Cart.objects.filter(pk=ended.pk).exists()
    assert not CartLine.objects.filter(cart_id=ended.pk).exists()
    assert Cart.objects.filter(pk=still_browsing.pk).exists()
    assert Cart.objects.filter(customer=customer).exists()


@pytest.mark.django_db
def test_a_cart_younger_than_an_hour_stays_whatever_its_session(product):
    young = cart_of_a_visitor(product)
    Session.objects.filter(session_key=young.session_key).delete()

    assert clearcarts() == "0 abandoned carts deleted\n"
    assert Cart.objects.filter(pk=young.pk).exists()


@pytest.mark.django_db
def test_with_sessions_outside_the_database_it_refuses_and_deletes_nothing(settings, product):
    cart = aged(cart_of_a_visitor(product), hours=30)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"

    with pytest.raises(CommandError, match="not in the database"):
        clearcarts()
    assert Cart.objects.filter(pk=cart.pk).exists()
