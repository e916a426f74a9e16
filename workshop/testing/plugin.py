"""pytest plugin (loaded through the ``pytest11`` entry point): fixtures that every stage's
tests and the shared behaviour suite use. Inert where no Django settings are configured,
as in the tooling tests."""

import os
import tempfile

import pytest

from .services import require

# The stack tests' fixtures: the stage's native stack, its visitors, real browsers.
pytest_plugins = ["workshop.testing.stack"]

if os.environ.get("DJANGO_SETTINGS_MODULE"):
    # Tests write sessions and files to a scratch folder, never into the stage's var/.
    os.environ.setdefault("SHOP_VAR_DIR", tempfile.mkdtemp(prefix="shop-test-"))
    os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")


def django_configured() -> bool:
    from django.conf import settings

    return settings.configured


@pytest.fixture(autouse=True)
def _shop_test_defaults(request):
    """A cheap password hasher and an empty cache for every shop test."""
    if not django_configured():
        yield
        return
    from django.core.cache import cache

    from .memcached import memcached_check

    settings = request.getfixturevalue("settings")
    memcached_check(settings)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def product(db):
    from .factories import ProductFactory

    return ProductFactory(stock=5)


@pytest.fixture
def customer(db):
    from .factories import CustomerFactory

    return CustomerFactory(first_name="Alice")


@pytest.fixture
def other_customer(db):
    from .factories import CustomerFactory

    return CustomerFactory(first_name="Bruno")


@pytest.fixture
def anonymous():
    """A visitor of their own: the ``client`` fixture is the one customer_client logs in."""
    from django.test import Client

    return Client()


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer)
    return client


@pytest.fixture
def mariadb():
    """The test database is MariaDB (DATABASE_URL=mysql://…), or the test skips."""
    from django.db import connection

    if connection.vendor != "mysql":
        require(
            "needs MariaDB (apt-get install mariadb-server): start one in another terminal "
            "with `workshop mariadb`, then DATABASE_URL=mysql://root:@127.0.0.1:3307/shop"
        )
    return connection


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """A transactional test may use every alias of the database. From stage 05 on, the
    replica aliases are the test database under other names (Django's TEST MIRROR), and a
    request outside a transaction reads the catalogue from one of them. (A test in a
    transaction reads only the primary, where its uncommitted rows are.)"""
    for item in items:
        marker = item.get_closest_marker("django_db")
        args, kwargs = (marker.args, marker.kwargs) if marker else ((), {})
        fixtures = set(getattr(item, "fixturenames", ()))
        transactional = kwargs.get("transaction") or {"transactional_db", "live_server"} & fixtures
        if transactional and "databases" not in kwargs:
            marker = pytest.mark.django_db(*args, **kwargs, databases="__all__")
            item.add_marker(marker, append=False)
