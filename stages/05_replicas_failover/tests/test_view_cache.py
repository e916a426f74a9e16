"""Stage 01's lesson: pages rendered once are served from the cache (memcached in the
stack) to every visitor without a session. (Stage 04 serves them to visitors with one
too, through two passes: tests/test_two_passes.py.)"""

import pytest
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
