"""Cache keys that tracking parameters and junk cannot multiply: a page is cached under
its path and the query parameters it shows, normalised (order, defaults, first value).
?utm_source=tv, fbclid, gclid and unknown parameters (workshop/tracking.py) find the same
skeleton, rather than rendering the page again and storing one more copy of it."""

from decimal import Decimal

import pytest
from django.test import Client

from workshop.testing.factories import ProductFactory

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def tv():
    return ProductFactory(featured=True, name="Kaito Vista 55", price=Decimal("499.99"))


def one_page(url: str, queries: list[str], rendered_afresh) -> None:
    """``url`` with each of ``queries``: rendered once, then the same page from the cache."""
    visitor = Client()
    first = visitor.get(url)
    assert first.status_code == 200 and rendered_afresh(first), f"{url}: not rendered"
    for query in queries:
        response = visitor.get(url + query)
        assert response.status_code == 200, f"{url}{query}: {response.status_code}"
        assert not rendered_afresh(response), (
            f"{url}{query} was rendered again: its query made a cache entry of its own"
        )
        assert response.content == first.content, f"{url}{query} is not the page of {url}"


TRACKING = ["?utm_source=tv&fbclid=x", "?gclid=abc&utm_campaign=spring", "?zzz=1"]


def test_a_listing_is_built_once_whatever_tracking_junk_or_defaults_its_query_has(
    tv, rendered_afresh
):
    queries = [*TRACKING, "?page=1&sort=name", "?sort=name&page=1", "?page=abc", "?sort=bogus"]
    one_page(tv.category.get_absolute_url(), queries, rendered_afresh)


def test_a_listing_sorted_by_price_is_built_once_whatever_else_its_query_has(tv, rendered_afresh):
    url = tv.category.get_absolute_url()
    Client().get(url)  # the plain listing: another page
    one_page(url + "?sort=price", ["&utm_source=tv", "&page=1&fbclid=x"], rendered_afresh)
    assert rendered_afresh(Client().get(url + "?page=1&sort=-price")), "a sort was ignored"


def test_a_product_page_and_the_home_page_are_built_once_whatever_their_query(tv, rendered_afresh):
    one_page(tv.get_absolute_url(), [*TRACKING, "?sort=price"], rendered_afresh)
    one_page("/", TRACKING, rendered_afresh)


def test_a_search_is_built_once_whatever_tracking_its_query_has(tv, rendered_afresh):
    one_page("/search/?q=kaito", ["&utm_source=tv", "&fbclid=x&zzz=1"], rendered_afresh)
    assert "Kaito Vista 55" in Client().get("/search/?utm_medium=tv&q=kaito").content.decode()
