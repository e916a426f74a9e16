"""Step 1: Django writes the page of a safe URL to a file when it serves it to a visitor
who could be anyone (no session, a GET, no query string), and never otherwise. Each test
that shows a file is *not* written first shows that a safe page is (page_files.written_by)."""

import pytest
from django.urls import reverse

from workshop.testing.factories import ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.lesson]


@pytest.fixture
def safe_urls():
    product = ProductFactory(featured=True)
    return [reverse("home"), product.category.get_absolute_url(), product.get_absolute_url()]


@pytest.fixture
def control(anonymous, page_files):
    """The page files after an anonymous visit to another product's page wrote one."""
    return page_files.written_by(anonymous, ProductFactory().get_absolute_url())


def test_an_anonymous_visit_writes_each_safe_page_to_its_file(client, page_files, safe_urls):
    for url in safe_urls:
        response = client.get(url)

        assert page_files.of(url).exists(), f"the anonymous visit to {url} wrote no page file"
        assert page_files.of(url).read_bytes() == response.content, f"{url}: file ≠ page"


def test_the_file_is_the_page_every_anonymous_visitor_gets(client, page_files, safe_urls):
    url = safe_urls[2]
    client.get(url)

    page = page_files.of(url).read_bytes()

    assert b"Cart (0)" in page and b"Log in" in page
    assert b"csrfmiddlewaretoken" not in page and b"Hello" not in page


def test_a_customer_with_a_session_writes_no_file(customer_client, page_files, safe_urls, control):
    for url in safe_urls:
        assert customer_client.get(url).status_code == 200

    assert page_files.all() == control, "a logged-in customer's page was written to a file"


def test_a_visitor_with_a_cart_writes_no_file(client, page_files, safe_urls, product, control):
    client.post(reverse("cart_add", args=[product.pk]), {"product_id": product.pk, "quantity": 1})

    for url in safe_urls:
        client.get(url)

    assert page_files.all() == control, "the page of a visitor with a session was written"


@pytest.mark.parametrize("query", ["sort=price", "page=2", "utm_source=tv&page=2"])
def test_a_query_string_writes_no_file(client, page_files, safe_urls, query, control):
    """nginx ignores the query string when it looks for a file, so a page that depends on
    one (?page=2) must never be written where the plain page belongs. (Tracking parameters
    alone, ?utm_source=tv, change no page: tests/test_campaign_links.py.)"""
    for url in safe_urls:
        client.get(f"{url}?{query}")

    assert page_files.all() == control, f"a page asked for with ?{query} was written"


def test_a_post_writes_no_file(client, page_files, safe_urls, control):
    for url in safe_urls:
        client.post(url)

    assert page_files.all() == control, "the answer to a POST was written"


def test_an_error_page_writes_no_file(client, page_files, control):
    response = client.get("/p/no-such-product/")

    assert response.status_code == 404
    assert page_files.all() == control, "a 404 page was written: write only a 200"


@pytest.mark.parametrize("url", ["/search/", "/cart/", "/accounts/login/", "/checkout/"])
def test_a_url_off_the_safe_list_writes_no_file(client, page_files, product, url, control):
    client.get(url)

    assert page_files.all() == control, f"{url} is not on PAGE_FILES_SAFE_URLS, yet written"


def test_a_page_that_sets_a_cookie_is_never_written(client, settings, page_files, control):
    """Even put on the safe list by mistake, the login page is not written: its form holds
    a CSRF token, and the cookie that goes with it makes the page one visitor's."""
    settings.PAGE_FILES_SAFE_URLS = [*settings.PAGE_FILES_SAFE_URLS, r"/accounts/login/"]

    response = client.get(reverse("login"))

    assert response.status_code == 200 and response.cookies
    assert page_files.all() == control, (
        "the login page sets a CSRF cookie, yet it was written: does the middleware see "
        "the cookies? It must come before the session and CSRF middleware in MIDDLEWARE"
    )


def test_a_page_with_a_message_for_its_visitor_is_never_written(client, page_files, control):
    """A message ("… is in your cart") can reach a visitor without a session in a cookie,
    which MessageMiddleware clears on the way out: a middleware below it in MIDDLEWARE never
    sees that cookie, and would write the visitor's message into everyone's page."""
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.test import RequestFactory

    storage = CookieStorage(RequestFactory().get("/"))
    note = "Your Kaito Vista 55 is on its way, Alice"
    client.cookies[storage.cookie_name] = storage._encode([Message(constants.INFO, note)])
    url = ProductFactory().get_absolute_url()

    response = client.get(url)

    assert note.encode() in response.content
    assert page_files.all() == control, (
        "a page that showed one visitor's message was written for everyone: the page-file "
        "middleware must come above the session, CSRF and message middleware in MIDDLEWARE"
    )
