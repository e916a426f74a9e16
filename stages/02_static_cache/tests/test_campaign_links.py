"""A campaign link (?utm_source=tv, ?fbclid=…) asks for the same page as the plain URL:
tracking parameters say where a visitor came from and change nothing on it. The first
visitor by such a link writes the plain URL's page file, which nginx then gives the next
ones (its map lets tracking parameters alone through: tests/tooling/test_tracking.py)."""

import pytest
from django.test import RequestFactory
from pagefiles.middleware import request_is_anonymous_get

from workshop.testing.factories import ProductFactory

pytestmark = pytest.mark.django_db

CAMPAIGNS = ["utm_source=tv&utm_medium=broadcast&utm_campaign=spring", "fbclid=IwAR0x", "gclid=1"]


@pytest.fixture
def product_url():
    return ProductFactory(featured=True).get_absolute_url()


@pytest.mark.parametrize("query", CAMPAIGNS)
def test_the_first_visitor_by_a_campaign_link_writes_the_plain_pages_file(
    anonymous, page_files, product_url, query
):
    response = anonymous.get(f"{product_url}?{query}")

    assert response.status_code == 200
    assert page_files.of(product_url).exists(), f"?{query} wrote no page file"
    assert page_files.of(product_url).read_bytes() == response.content
    assert page_files.all() == {page_files.of(product_url)}


def test_the_file_a_campaign_link_wrote_is_the_plain_page(anonymous, page_files, product_url):
    anonymous.get(f"{product_url}?utm_source=tv")
    written = page_files.of(product_url).read_bytes()
    page_files.of(product_url).unlink()

    plain = anonymous.get(product_url).content

    assert written == plain
    assert b"utm_source" not in written


@pytest.mark.parametrize(
    "query",
    ["utm_source=tv&page=2", "page=2&fbclid=x", "sort=price", "UTM_SOURCE=tv", "utm_source=tv&q="],
)
def test_a_campaign_link_with_another_parameter_writes_no_file(anonymous, page_files, query):
    control = page_files.written_by(anonymous, ProductFactory().get_absolute_url())
    url = ProductFactory().category.get_absolute_url()

    anonymous.get(f"{url}?{query}")

    assert page_files.all() == control, f"?{query} was written where the plain page belongs"


def test_a_campaign_link_with_a_session_writes_no_file(customer_client, page_files, product_url):
    customer_client.get(f"{product_url}?utm_source=tv")

    assert not page_files.of(product_url).exists()


@pytest.mark.parametrize(
    ("query", "anyones"),
    [
        ("", True),
        ("utm_source=tv", True),
        ("utm_source=tv&utm_campaign=spring&gclid=1&_ga=2", True),
        ("fbclid", True),
        ("utm%5Fsource=tv", True),  # as Django reads it; nginx sends it on (not a file)
        ("page=2", False),
        ("utm_source=tv&page=2", False),
        ("from=tv", False),
    ],
)
def test_which_requests_could_come_from_anyone(query, anyones):
    request = RequestFactory().get(f"/p/a-tv/?{query}" if query else "/p/a-tv/")

    assert request_is_anonymous_get(request) is anyones
