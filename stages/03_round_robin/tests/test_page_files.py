"""Step 1: Django writes the page of a safe URL to a file when it serves it to a visitor
who could be anyone (no session, a GET, no query string), and never otherwise."""

import pytest
from django.urls import reverse

from workshop.testing.factories import ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.lesson]


@pytest.fixture
def safe_urls():
    product = ProductFactory(featured=True)
    return [reverse("home"), product.category.get_absolute_url(), product.get_absolute_url()]


def test_an_anonymous_visit_writes_each_safe_page_to_its_file(client, page_files, safe_urls):
    for url in safe_urls:
        response = client.get(url)

        assert page_files.of(url).read_bytes() == response.content


def test_the_file_is_the_page_every_anonymous_visitor_gets(client, page_files, safe_urls):
    url = safe_urls[2]
    client.get(url)

    page = page_files.of(url).read_bytes()

    assert b"Cart (0)" in page and b"Log in" in page
    assert b"csrfmiddlewaretoken" not in page and b"Hello" not in page


def test_a_customer_with_a_session_writes_no_file(customer_client, page_files, safe_urls):
    for url in safe_urls:
        assert customer_client.get(url).status_code == 200

    assert page_files.all() == set()


def test_a_visitor_with_a_cart_writes_no_file(client, page_files, safe_urls, product):
    client.post(reverse("cart_add", args=[product.pk]), {"product_id": product.pk, "quantity": 1})

    for url in safe_urls:
        client.get(url)

    assert page_files.all() == set()


@pytest.mark.parametrize("query", ["sort=price", "page=2", "utm_source=tv"])
def test_a_query_string_writes_no_file(client, page_files, safe_urls, query):
    """nginx ignores the query string when it looks for a file, so a page that depends on
    one (?page=2) must never be written where the plain page belongs."""
    for url in safe_urls:
        client.get(f"{url}?{query}")

    assert page_files.all() == set()


def test_a_post_writes_no_file(client, page_files, safe_urls):
    for url in safe_urls:
        client.post(url)

    assert page_files.all() == set()


def test_an_error_page_writes_no_file(client, page_files):
    response = client.get("/p/no-such-product/")

    assert response.status_code == 404
    assert page_files.all() == set()


@pytest.mark.parametrize("url", ["/search/", "/cart/", "/accounts/login/", "/checkout/"])
def test_a_url_off_the_safe_list_writes_no_file(client, page_files, product, url):
    client.get(url)

    assert page_files.all() == set()


def test_a_page_that_sets_a_cookie_is_never_written(client, settings, page_files):
    """Even put on the safe list by mistake, the login page is not written: its form holds
    a CSRF token, and the cookie that goes with it makes the page one visitor's."""
    settings.PAGE_FILES_SAFE_URLS = [*settings.PAGE_FILES_SAFE_URLS, r"/accounts/login/"]

    response = client.get(reverse("login"))

    assert response.status_code == 200 and response.cookies
    assert page_files.all() == set()
