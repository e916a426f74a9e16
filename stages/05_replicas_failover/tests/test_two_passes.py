"""Step 2: pass one renders the page with no visitor in it and is cached as a skeleton,
with placeholders where the visitor's parts go; pass two fills them in on every request,
for visitors with a session too."""

import pytest
from django.test import RequestFactory
from django.urls import resolve

from workshop.testing.factories import CustomerFactory, ProductFactory, ReviewFactory

pytestmark = [pytest.mark.django_db, pytest.mark.lesson]


def twopass():
    try:
        from storefront import twopass
    except ImportError:
        pytest.fail("no storefront/twopass.py: where do the placeholders come from?")
    return twopass


@pytest.fixture
def pages():
    product = ProductFactory(featured=True, name="Kaito Vista Skeleton")
    ReviewFactory(product=product, title="Sharp picture")
    category = product.category.get_absolute_url()
    return ["/", category, f"{category}?sort=price", product.get_absolute_url(), "/search/?q=kaito"]


def test_a_visitor_with_a_session_gets_pages_filled_in_from_cached_skeletons(
    customer_client, pages, from_cache
):
    """Stage 03 renders every page afresh for anyone logged in; here pass one comes from
    the cache, and no placeholder is left in what the visitor gets."""
    for url in pages:
        html = from_cache(customer_client, url).content.decode()
        assert "<!--visitor:" not in html, f"{url} still holds a placeholder"
        assert html.count('class="cart-link"') == 1, f"{url}: the cart part is missing"


def skeleton_of(url: str, user) -> str:
    """Pass one of the page at ``url``, run for a request of ``user``."""
    request = RequestFactory().get(url)
    request.user, request.session = user, {}
    match = resolve(request.path)
    view = match.func.view_class()
    view.setup(request, *match.args, **match.kwargs)
    return view.skeleton_render()


def test_pass_one_holds_nothing_of_the_visitor_and_is_the_same_bytes_for_two_customers(pages):
    alice = CustomerFactory(first_name="Alice", username="alice")
    bruno = CustomerFactory(first_name="Bruno", username="bruno")
    for url in pages:
        for_alice, for_bruno = skeleton_of(url, alice), skeleton_of(url, bruno)

        assert twopass().placeholder("account") in for_alice, f"{url}: no placeholder"
        assert for_alice == for_bruno, f"{url}: pass one depends on who asks"
        for trace in ("Alice", "alice", "csrfmiddlewaretoken", "Log out"):
            assert trace not in for_alice, f"{url}: pass one holds {trace!r}"


def test_the_placeholders_marker_comes_from_the_secret_key(settings):
    """Every app server shares SECRET_KEY, so they agree on the marker; nobody without the
    key can guess it, and it does not show the key."""
    first = twopass().placeholder("account")
    settings.SECRET_KEY = "another-deployment-" + "x" * 40
    second = twopass().placeholder("account")

    assert first != second, "the placeholder is the same for every deployment"
    assert settings.SECRET_KEY not in second and "x" * 20 not in second


def test_a_page_file_written_from_a_cached_skeleton_holds_no_placeholder(
    customer_client, anonymous, page_files, pages, from_cache, rendered_afresh
):
    """Stage 02's page files stay for visitors without a session: their parts are filled
    in too, so nginx never serves a placeholder."""
    url = pages[3]
    from_cache(customer_client, url)

    response = anonymous.get(url)

    assert not rendered_afresh(response), "the anonymous visit rendered the page again"
    page = page_files.of(url).read_text()
    assert "Log in" in page and "<!--visitor:" not in page
