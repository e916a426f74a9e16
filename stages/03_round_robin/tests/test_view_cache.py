"""Stage 01's lesson: pages rendered once are served from the cache (memcached in the
stack) to every visitor without a session, and never to anyone with one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workshop.testing.factories import ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.lesson]


@pytest.fixture
def pages():
    product = ProductFactory(featured=True)
    return [reverse("home"), product.category.get_absolute_url(), product.get_absolute_url()]


def test_a_cached_page_is_served_without_the_database(client, pages, django_assert_num_queries):
    for url in pages:
        client.get(url)

    with django_assert_num_queries(0):
        for url in pages:
            assert client.get(url).status_code == 200


def test_a_visitor_with_a_session_gets_a_fresh_page(customer_client, pages):
    for url in pages:
        customer_client.get(url)

    for url in pages:
        with CaptureQueriesContext(connection) as queries:
            customer_client.get(url)
        assert len(queries) > 0, f"{url} came from the cache"


def test_a_price_change_retires_the_cached_page_at_once(
    client, product_in_cache, django_capture_on_commit_callbacks
):
    """Stage 02: not after PAGE_CACHE_SECONDS, but as the change commits."""
    product, url = product_in_cache
    with django_capture_on_commit_callbacks(execute=True):
        product.price = "1.23"
        product.save()

    assert b"1.23" in client.get(url).content


@pytest.fixture
def product_in_cache(client):
    product = ProductFactory()
    url = product.get_absolute_url()
    client.get(url)
    return product, url
