"""What stage 03's tests share: stage 02's page files, and real app servers of the code
under test (gunicorn processes over the test database, each with a disk of its own) with
one visitor sent to each in turn (workshop/testing/); and the lesson's own: the carts in
the database, and what bad input must leave as it was."""

import pytest

from workshop.testing.appservers import (  # noqa: F401 (fixtures, used by name)
    app_env,
    app_servers,
    django_db_modify_db_settings,
    round_robin,
    shopper,
)
from workshop.testing.forms import place_order  # noqa: F401
from workshop.testing.pagefiles import page_files  # noqa: F401
from workshop.testing.upstreams import nginx_before  # noqa: F401


def cart_models():
    """Stage 03's Cart and CartLine models, or a failure that says what is missing."""
    try:
        from cart.models import Cart, CartLine
    except ImportError:
        pytest.fail("no cart.models.Cart and CartLine: the cart still lives in the session")
    return Cart, CartLine


def cart_rows(**owner) -> dict[int, int]:
    """The cart lines in the database, {product id: quantity}, of carts matching ``owner``."""
    _, line = cart_models()
    lines = line.objects.filter(**{f"cart__{k}": v for k, v in owner.items()})
    return dict(lines.values_list("product_id", "quantity"))


@pytest.fixture(name="cart_rows")
def cart_rows_fixture():
    return cart_rows


@pytest.fixture
def rows_written():
    """How many sessions, carts and cart lines the database holds: what bad input must
    leave as it was."""
    from django.contrib.sessions.models import Session

    def count() -> dict[str, int]:
        return {model.__name__: model.objects.count() for model in (Session, *cart_models())}

    return count


# Stage 04: the templates of pass one. A response that rendered none of them was filled
# in from a skeleton in the cache.
PAGE_TEMPLATES = {
    "storefront/home.html",
    "storefront/category.html",
    "storefront/product.html",
    "storefront/search.html",
}


def pass_one_ran(response) -> bool:
    """Whether the page was rendered afresh (pass one ran) for this response."""
    return any(template.name in PAGE_TEMPLATES for template in response.templates)


def page_from_cache(client, url: str, **extra):
    """The page at ``url`` for ``client``, asked for twice: the second answer, which must
    come from a skeleton in the cache (the positive control of every stage 04 test: a
    page rendered afresh for this visitor, as stage 03 renders one for anybody with a
    session, proves nothing about the cache)."""
    assert client.get(url, **extra).status_code == 200
    response = client.get(url, **extra)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    assert not pass_one_ran(response), (
        f"{url} was rendered afresh for a visitor who has a session: its skeleton should "
        "have come from the cache, with only the visitor's parts filled in"
    )
    return response


@pytest.fixture
def from_cache():
    return page_from_cache


@pytest.fixture
def rendered_afresh():
    return pass_one_ran


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs what the block's writes left for on_commit, as a request's
    commit would: stage 04's version bumps."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def customer_with_cart(client, customer):
    """Alice, logged in, with 2 of a product in her cart."""
    from workshop.testing.factories import ProductFactory

    client.force_login(customer)
    product = ProductFactory(name="Kaito Cart Item", stock=20)
    response = client.post(f"/cart/add/{product.pk}/", {"product_id": product.pk, "quantity": 2})
    assert response.status_code == 302, "the cart addition failed"
    return client


@pytest.fixture
def customer_client_of():
    """A logged-in test client for ``user``."""
    from django.test import Client

    def client_of(user, **kwargs):
        client = Client(**kwargs)
        client.force_login(user)
        return client

    return client_of
