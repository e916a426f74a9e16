"""Step 3: bad input on cached pages, as on every stage, and tampered session and CSRF
cookies: never a 500; the page comes from the cache with no placeholder left and, for a
cookie that is not a real session's, nobody's parts."""

import pytest
from django.test import Client

from workshop.testing.factories import ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.lesson]

COOKIES = {
    "forged-session": {"sessionid": "x" * 32},
    "truncated-session": {"sessionid": "abc"},
    "odd-session": {"sessionid": "<!--\x7f\u00e9"},
    "forged-csrf": {"csrftoken": "y" * 32},
    "odd-csrf": {"csrftoken": "{% csrf_token %}"},
}
QUERIES = ["?page=abc", "?page=-1", "?page=99999", "?sort=<script>", "?sort=%00", "?q=%ff"]


@pytest.fixture
def tv():
    return ProductFactory(featured=True, name="Kaito Vista 55")


@pytest.mark.parametrize("name", COOKIES)
def test_a_tampered_cookie_on_a_cached_page_gets_the_page_and_nobodys_parts(
    tv, customer_client, from_cache, name
):
    """The positive control: the page's skeleton is cached for visitors with a session."""
    from_cache(customer_client, tv.get_absolute_url())
    client = Client()
    for key, value in COOKIES[name].items():
        client.cookies[key] = value

    response = from_cache(client, tv.get_absolute_url())
    html = response.content.decode()
    assert "Log in" in html and "Hello" not in html and "<!--visitor:" not in html


@pytest.mark.parametrize("query", QUERIES)
def test_an_odd_query_string_on_a_cached_page_is_never_a_500(
    tv, customer_client, from_cache, query
):
    url = tv.category.get_absolute_url() + query

    html = from_cache(customer_client, url).content.decode()

    assert "<!--visitor:" not in html and "<script>" not in html and "Hello, Alice" in html
