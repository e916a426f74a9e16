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
