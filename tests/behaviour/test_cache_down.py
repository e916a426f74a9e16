"""The shop survives its cache: with memcached down (refused) or frozen (it accepts and
never answers), every page renders from the database, a customer logs in and fills a
cart (sessions in files, in the database, or cached_db falling back to it), and no
request waits much longer than one read timeout. Stage 01 caches whole pages, 02 and 03
page versions, 04 and 05 both levels of data and the sessions: every stage asks memcached
on every request."""

import time

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from workshop.memcached import READ_TIMEOUT
from workshop.testing import memcached_down
from workshop.testing.factories import TEST_PASSWORD, ProductFactory

pytestmark = pytest.mark.django_db

# One read timeout at most (the first call; the worker then leaves memcached alone), and
# time for the page itself: far below a wait for a lock that nobody can hold (stage 04).
SLOWEST = READ_TIMEOUT + 1.5


@pytest.fixture(params=["down", "frozen"])
def memcached(request):
    """The shop's cache is a memcached that is down, or frozen."""
    with getattr(memcached_down, {"down": "refused", "frozen": "frozen"}[request.param])() as at:
        cache = {"BACKEND": "workshop.memcached.PersistentPyMemcacheCache", "LOCATION": at}
        with override_settings(CACHES={"default": cache}):
            yield request.param


def visit(client, method, url, data=None, expect=200):
    started = time.monotonic()
    with memcached_down.hung_after(10):
        response = getattr(client, method)(url, data or {})
    took = time.monotonic() - started
    assert response.status_code == expect, f"{method.upper()} {url}: {response.status_code}"
    assert took < SLOWEST, f"{method.upper()} {url} took {took:.1f} s"
    return response


def test_every_page_renders_without_the_cache(memcached):
    product = ProductFactory(name="Kaito Vista 55", featured=True, stock=5)
    anonymous = Client()

    for url in (
        reverse("home"),
        product.category.get_absolute_url(),
        product.get_absolute_url(),
        reverse("search") + "?q=Vista",
        product.get_absolute_url(),  # again: nothing was stored, nothing breaks
    ):
        assert b"Kaito Vista 55" in visit(anonymous, "get", url).content


def test_a_customer_logs_in_and_fills_a_cart_without_the_cache(memcached, customer):
    product = ProductFactory(name="Kaito Vista 55", stock=5)
    client = Client()

    login = {"username": customer.username, "password": TEST_PASSWORD}
    visit(client, "post", reverse("login"), login, expect=302)
    add = {"product_id": product.pk, "quantity": 2}
    visit(client, "post", reverse("cart_add", args=[product.pk]), add, expect=302)

    page = visit(client, "get", product.get_absolute_url()).content.decode()
    assert "Hello, Alice" in page
    cart = visit(client, "get", reverse("cart")).content.decode()
    assert "Kaito Vista 55" in cart and 'value="2"' in cart
