"""Step 4: data in levels. Level one, the data the pages are built from, cached under the
versions of what it holds; level two, pass one's skeletons, built from level one. A change
bumps the versions of what it touches: the very next request shows it, to anonymous
visitors and customers alike, and the pages it does not touch stay cached."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from workshop.testing.factories import ProductFactory, ReviewFactory
from workshop.testing.forms import checkout_form

pytestmark = [pytest.mark.django_db, pytest.mark.lesson]


@pytest.fixture
def shop():
    """A featured TV and a radio in another category, each with a page and a listing."""
    tv = ProductFactory(featured=True, name="Kaito Vista 55", price=Decimal("499.99"), stock=5)
    radio = ProductFactory(name="Orbit Radio", price=Decimal("59.00"), stock=5)
    return tv, radio


def urls_of(*products) -> list[str]:
    return [url for p in products for url in (p.get_absolute_url(), p.category.get_absolute_url())]


def test_a_customer_with_a_cart_costs_no_statement_on_a_cached_page(
    customer_with_cart, shop, from_cache, rendered_afresh
):
    """The page's skeleton, the cart count, the session and the user all come from the
    cache (the last two through shop/settings.py: cached_db sessions, accounts/backends.py)."""
    tv, _ = shop
    for url in ["/", *urls_of(tv)]:
        from_cache(customer_with_cart, url)
        with CaptureQueriesContext(connection) as queries:
            response = customer_with_cart.get(url)
        assert not rendered_afresh(response) and "Cart (2)" in response.content.decode()
        assert len(queries) == 0, f"{url}: {[q['sql'][:80] for q in queries]}"


@pytest.fixture
def cache_calls(monkeypatch):
    """The cache's operations, in order: with memcached, each one is a round trip. Only
    the outermost call counts (the in-process cache's get_many calls its own get)."""
    from django.core.cache import caches

    backend, calls, depth = type(caches["default"]), [], [0]
    for name in ["get", "get_many", "set", "set_many", "add", "delete", "delete_many", "touch"]:
        original = getattr(backend, name)

        def counted(self, *args, _original=original, _name=name, **kwargs):
            calls.extend([_name] if not depth[0] else [])
            depth[0] += 1
            try:
                return _original(self, *args, **kwargs)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(backend, name, counted)
    return calls


def test_a_customer_with_a_cart_costs_four_round_trips_to_the_cache_on_a_cached_page(
    customer_with_cart, shop, from_cache, cache_calls
):
    """The session, the user, the cart count and the skeleton: one read each, an entry
    and the current versions of its data together (storefront/caching.py)."""
    tv, _ = shop
    from_cache(customer_with_cart, tv.get_absolute_url())
    cache_calls.clear()

    assert "Cart (2)" in customer_with_cart.get(tv.get_absolute_url()).content.decode()
    assert sorted(cache_calls) == ["get", "get_many", "get_many", "get_many"], cache_calls


def test_a_skeleton_rebuilt_after_a_flush_of_skeletons_reads_level_one_not_the_database(
    shop, rendered_afresh
):
    try:
        from storefront.caching import skeletons_flush
    except ImportError:
        pytest.fail("no storefront.caching.skeletons_flush(): how are skeletons flushed?")
    tv, _ = shop
    visitor, urls = Client(), ["/", *urls_of(tv)]
    for url in urls:
        visitor.get(url)

    skeletons_flush()

    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = visitor.get(url)
        assert rendered_afresh(response), f"{url}: the flush left its skeleton in place"
        assert len(queries) == 0, f"{url} read the database: level one missed"


def test_a_full_rebuild_after_a_flush_of_skeletons_reads_only_which_pages_there_are(shop):
    """``manage.py rebuild_pages`` (what notebook 04 times): after ``--flush skeletons``
    every safe page is rebuilt from level one; after ``--flush all`` from the database."""
    said = io.StringIO()
    call_command("rebuild_pages", flush="all", stdout=said)  # level one filled
    with CaptureQueriesContext(connection) as warm:
        call_command("rebuild_pages", flush="skeletons", stdout=said)
    with CaptureQueriesContext(connection) as cold:
        call_command("rebuild_pages", flush="all", stdout=said)

    # warm_pages' list of pages: the categories' slugs and the products' slugs.
    assert len(warm) == 2, [q["sql"][:80] for q in warm]
    pages = 1 + 2 + 2  # the home page, two listings, two product pages
    assert len(cold) >= len(warm) + pages, "a cold rebuild read no data: what did it build?"
    assert "rebuilt every safe page after --flush skeletons in" in said.getvalue()


def seen(clients, url: str) -> list[str]:
    return [client.get(url).content.decode() for client in clients]


def test_a_price_change_shows_on_the_very_next_request_and_other_pages_stay_cached(
    customer_client, shop, committed, from_cache, rendered_afresh
):
    tv, radio = shop
    visitors = [Client(), customer_client]
    for url in ["/", *urls_of(tv, radio)]:
        from_cache(customer_client, url)

    with committed():
        tv.price = Decimal("123.45")
        tv.save()

    for url in ["/", *urls_of(tv)]:
        assert all("123.45" in html for html in seen(visitors, url)), f"{url}: old price"
    for url in urls_of(radio):
        assert not rendered_afresh(customer_client.get(url)), f"{url} was rendered again"


def test_a_new_review_shows_on_the_very_next_request_and_the_listing_stays_cached(
    customer_client, shop, committed, from_cache, rendered_afresh
):
    tv, _ = shop
    for url in ["/", *urls_of(tv)]:
        from_cache(customer_client, url)

    with committed():
        ReviewFactory(product=tv, title="Brilliant colours", rating=5)

    for html in seen([Client(), customer_client], tv.get_absolute_url()):
        assert "Brilliant colours" in html, "the product page does not show the new review"
    for url in ["/", tv.category.get_absolute_url()]:
        assert not rendered_afresh(customer_client.get(url)), f"{url} was rendered again"


def buy(client, product, quantity: int):
    client.post(f"/cart/add/{product.pk}/", {"product_id": product.pk, "quantity": quantity})
    response = client.post("/checkout/", checkout_form(client))
    assert response.status_code == 302, f"the checkout failed: {response.status_code}"


def test_a_sale_that_sells_out_shows_everywhere_on_the_very_next_request(
    customer_client, shop, committed, from_cache
):
    tv, _ = shop
    urls = ["/", *urls_of(tv)]
    for url in urls:
        from_cache(customer_client, url)

    with committed():
        buy(customer_client, tv, 5)

    for url in urls:
        for html in seen([Client(), customer_client], url):
            assert "Sold out" in html, f"{url} still offers the sold-out product"


def test_a_sale_that_leaves_stock_changes_its_page_but_keeps_the_home_page_and_listing(
    customer_client, shop, committed, from_cache, rendered_afresh
):
    tv, _ = shop
    for url in ["/", *urls_of(tv)]:
        from_cache(customer_client, url)

    with committed():
        buy(customer_client, tv, 2)

    for html in seen([Client(), customer_client], tv.get_absolute_url()):
        assert "only 3 left" in html, "the product page shows the stock from before the sale"
    for url in ["/", tv.category.get_absolute_url()]:
        assert not rendered_afresh(customer_client.get(url)), f"{url} was thrown away"


def test_a_sale_retires_the_page_files_that_nginx_would_serve_in_place_of_its_pages(
    customer_client, shop, committed, page_files
):
    """A bumped version retires a skeleton, but nginx serves a page file before Django
    sees the request: the files of the pages a sale changed must go too (stage 03's
    checkout removed them itself; from this stage on, products_sold() says what a sale
    changed, so it retires them)."""
    tv, radio = shop
    anonymous = Client()
    for url in ["/", *urls_of(tv, radio)]:
        page_files.written_by(anonymous, url)

    with committed():
        buy(customer_client, tv, 2)

    assert not page_files.of(tv.get_absolute_url()).exists(), (
        f"{tv.get_absolute_url()}: its page file from before the sale is still there, and "
        "nginx serves it: every visitor without a session sees the old stock"
    )
    for url in ["/", *urls_of(radio), tv.category.get_absolute_url()]:
        assert page_files.of(url).exists(), f"{url}: its page file went, though the sale left stock"

    with committed():
        buy(customer_client, tv, 3)

    for url in ["/", tv.category.get_absolute_url()]:
        assert not page_files.of(url).exists(), (
            f"{url}: its page file from before the sale is still there, and nginx serves "
            "it: visitors without a session are offered a product that is sold out"
        )
    assert page_files.of(radio.get_absolute_url()).exists(), "the radio's page file went"
