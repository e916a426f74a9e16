"""Whatever a stage caches, nothing of one visitor reaches another.

Two customers and an anonymous visitor take turns through the cacheable pages; each
response must hold nobody else's name, cart or CSRF token.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from workshop.testing.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def shop():
    product = ProductFactory(featured=True, stock=50)
    return [
        reverse("home"),
        product.category.get_absolute_url(),
        product.get_absolute_url(),
    ], product


def visitor(first_name=None, *, product=None, quantity=0):
    client = Client()
    if first_name:
        client.force_login(CustomerFactory(first_name=first_name))
    if quantity:
        url = reverse("cart_add", args=[product.pk])
        client.post(url, {"product_id": product.pk, "quantity": quantity})
    return client


def test_no_name_or_cart_crosses_between_visitors(shop):
    urls, product = shop
    anonymous = visitor()
    zelda = visitor("Zelda", product=product, quantity=3)
    yusuf = visitor("Yusuf", product=product, quantity=7)

    for _ in range(2):  # the second round is what a cache would serve
        for url in urls:
            anon_page = anonymous.get(url).content
            zelda_page = zelda.get(url).content
            yusuf_page = yusuf.get(url).content

            assert b"Zelda" in zelda_page and b"Cart (3)" in zelda_page
            assert b"Yusuf" in yusuf_page and b"Cart (7)" in yusuf_page
            assert b"Zelda" not in yusuf_page + anon_page
            assert b"Yusuf" not in zelda_page + anon_page
            assert b"Cart (0)" in anon_page and b"Hello" not in anon_page


def test_a_visitor_who_logs_out_no_longer_sees_their_name(shop):
    urls, _ = shop
    client = visitor("Xavier")
    client.get(urls[0])

    client.post(reverse("logout"))

    for url in urls:
        assert b"Xavier" not in client.get(url).content


def test_csrf_tokens_are_never_shared(shop):
    """Every page a visitor gets with a form carries a token only that visitor's cookie fits."""
    _, product = shop
    pages = [reverse("cart_add", args=[product.pk]), reverse("login")]
    first, second = visitor("Wanda"), visitor()

    for url in pages:
        first_tokens = set(CSRF_INPUT.findall(first.get(url).content))
        second_tokens = set(CSRF_INPUT.findall(second.get(url).content))

        assert first_tokens and second_tokens
        assert not first_tokens & second_tokens
        assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
