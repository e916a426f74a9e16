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

    settings = request.getfixturevalue("settings")
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
def customer_client(client, customer):
    client.force_login(customer)
    return client


@pytest.fixture
def mariadb():
    """The test database is MariaDB (DATABASE_URL=mysql://…), or the test skips."""
    from django.db import connection

    if connection.vendor != "mysql":
        require(
            "needs MariaDB (apt-get install mariadb-server), "
            "then DATABASE_URL=mysql://root:@127.0.0.1:3306/test"
        )
    return connection
