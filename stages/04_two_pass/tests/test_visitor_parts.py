"""Step 3: pass two fills in this visitor's own parts (their name, their cart count, their
CSRF token) on a page whose skeleton came from the cache, and every page pass two fills
in, an anonymous visitor's too, is private and varies with the cookie."""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from workshop.testing.factories import CustomerFactory, ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.lesson]

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def tv():
    return ProductFactory(featured=True, name="Kaito Vista 55", stock=20)


def token_of(html: str) -> str:
    tokens = TOKEN.findall(html)
    assert len(tokens) == 1, f"{len(tokens)} CSRF tokens on the page, expected the logout form's"
    return tokens[0]


def test_a_customer_with_a_cart_gets_their_name_and_cart_count_on_a_cached_page(
    customer_with_cart, tv, from_cache
):
    for url in ["/", tv.category.get_absolute_url(), tv.get_absolute_url()]:
        html = from_cache(customer_with_cart, url).content.decode()

        assert '<span class="greeting">Hello, Alice</span>' in html, f"{url}: no greeting"
        assert "Cart (2)" in html, f"{url}: not Alice's cart count"


def test_two_customers_see_only_their_own_parts_and_an_anonymous_visitor_no_trace(
    tv, customer_client_of, from_cache
):
    alice = customer_client_of(CustomerFactory(first_name="Alice", username="alice"))
    bruno = customer_client_of(CustomerFactory(first_name="Bruno", username="bruno"))
    alice.post(f"/cart/add/{tv.pk}/", {"product_id": tv.pk, "quantity": 3})
    url = tv.get_absolute_url()

    seen_by_alice = from_cache(alice, url).content.decode()
    seen_by_bruno = from_cache(bruno, url).content.decode()
    seen_by_anonymous = Client().get(url).content.decode()

    assert "Hello, Alice" in seen_by_alice and "Cart (3)" in seen_by_alice
    assert "Hello, Bruno" in seen_by_bruno and "Cart (0)" in seen_by_bruno
    assert "Alice" not in seen_by_bruno and "Cart (3)" not in seen_by_bruno
    for trace in ("Alice", "Bruno", "Cart (3)", "csrfmiddlewaretoken", "Log out"):
        assert trace not in seen_by_anonymous, f"an anonymous visitor sees {trace!r}"
    assert token_of(seen_by_alice) != token_of(seen_by_bruno)


def test_every_two_pass_page_is_private_and_varies_with_the_cookie_for_every_visitor(
    customer_client, tv, from_cache
):
    """An anonymous visitor's page too: pass two runs for every visitor, and a shared
    cache that kept an anonymous copy would hand it to a visitor who has since logged in."""
    visitors = {"a logged-in customer": customer_client, "an anonymous visitor": Client()}
    for who, client in visitors.items():
        for url in ["/", tv.get_absolute_url()]:
            response = from_cache(client, url) if client is customer_client else client.get(url)
            cache_control = response.headers.get("Cache-Control", "(none)")
            vary = response.headers.get("Vary", "(none)")
            assert "private" in cache_control, (
                f"{url}: not private for {who} (Cache-Control: {cache_control})"
            )
            assert "Cookie" in vary, f"{url}: no Vary: Cookie for {who} (Vary: {vary})"


def test_the_csrf_token_on_a_cached_page_is_the_visitors_own_and_a_post_with_it_works(
    customer, tv, from_cache
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(customer)
    html = from_cache(client, tv.get_absolute_url()).content.decode()
    token = token_of(html)

    secret = client.cookies["csrftoken"].value
    assert _unmask_cipher_token(token) == secret, "the page's token is not this visitor's"
    added = client.post(
        f"/cart/add/{tv.pk}/", {"product_id": tv.pk, "quantity": 1, "csrfmiddlewaretoken": token}
    )
    assert added.status_code == 302, f"a POST with the page's token: {added.status_code}"
    logged_out = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert logged_out.status_code == 302, f"logging out with it: {logged_out.status_code}"


def test_the_csrf_token_rotates_at_login_as_django_does(customer, tv, from_cache):
    from workshop.testing.factories import TEST_PASSWORD

    client = Client(enforce_csrf_checks=True)
    login_page = client.get("/accounts/login/").content.decode()
    before = client.cookies["csrftoken"].value
    client.post(
        "/accounts/login/",
        {
            "username": customer.username,
            "password": TEST_PASSWORD,
            "csrfmiddlewaretoken": TOKEN.search(login_page)[1],
        },
    )

    token = token_of(from_cache(client, tv.get_absolute_url()).content.decode())
    assert _unmask_cipher_token(token) != before, "the token from before the login still works"
    assert _unmask_cipher_token(token) == client.cookies["csrftoken"].value
