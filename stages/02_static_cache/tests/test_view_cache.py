"""Stage 01's lesson: pages rendered once are served from the cache (memcached in the
stack) to every visitor without a session, and never to anyone with one."""

import pytest
from django.conf import settings
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


@pytest.mark.parametrize(
    "campaign", ["utm_source=tv", "utm_source=radio&utm_campaign=x", "fbclid=1"]
)
def test_a_campaign_link_gets_the_plain_pages_cached_copy(client, pages, campaign):
    """Tracking parameters change nothing on a page: a campaign's visitors share the plain
    page's copy instead of each new ?utm_…, ?fbclid=… rendering and storing one more."""
    for url in pages:
        client.get(url)

    with CaptureQueriesContext(connection) as queries:
        for url in pages:
            assert client.get(f"{url}?{campaign}").status_code == 200
    assert len(queries) == 0, f"?{campaign} rendered the page afresh"


def test_tracking_parameters_beside_others_are_dropped_from_the_key(client):
    product = ProductFactory()
    listing = product.category.get_absolute_url()
    client.get(f"{listing}?sort=price")

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{listing}?utm_source=tv&sort=price&gclid=2")
    assert response.status_code == 200 and len(queries) == 0


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


def test_sessions_live_in_files_on_the_app_server(customer_client):
    """One server only: the session, and so the cart, is a file on this server's disk."""
    session_key = customer_client.cookies[settings.SESSION_COOKIE_NAME].value

    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.file"
    files = list(settings.SESSION_FILE_PATH.iterdir())
    assert any(session_key in f.name for f in files)
