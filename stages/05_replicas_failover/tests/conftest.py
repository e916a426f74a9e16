"""What stage 03's tests share: stage 02's page files, and real app servers of the code
under test (gunicorn processes over the test database, each with a disk of its own) with
one visitor sent to each in turn (workshop/testing/); and the lesson's own: the carts in
the database, and what bad input must leave as it was."""

import subprocess
import sys
from pathlib import Path

import pytest

from workshop.testing.appservers import (  # noqa: F401 (fixtures, used by name)
    app_env,
    app_servers,
    code_env,
    database_url,
    django_db_modify_db_settings,
    round_robin,
    shopper,
)
from workshop.testing.forms import place_order  # noqa: F401
from workshop.testing.pagefiles import page_files  # noqa: F401
from workshop.testing.proxy import TcpProxy, closed_port
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


# Stage 05: the replicas.


def replicas_part(name: str):
    """A module of the stage's replicas/ package, or a failure that says what is missing."""
    import importlib

    try:
        return importlib.import_module(f"replicas.{name}")
    except ImportError as error:
        pytest.fail(f"no replicas/{name.replace('.', '/')}.py ({error}): the lesson's code")


@pytest.fixture(name="replicas_part")
def replicas_part_fixture():
    return replicas_part


@pytest.fixture
def replica_aliases(settings) -> list[str]:
    """The aliases of settings.DATABASES other than the primary ("default")."""
    aliases = [alias for alias in settings.DATABASES if alias != "default"]
    assert len(aliases) >= 2, (
        f"settings.DATABASES has {sorted(settings.DATABASES)}: with no replica URL, two "
        "aliases (replica1, replica2) should stand for the replicas (step 1)"
    )
    return aliases


CATALOGUE_TABLES = ("catalogue_product", "catalogue_category", "catalogue_review")


class Reads:
    """The SQL each database alias ran in this thread, while recording."""

    def __init__(self, aliases):
        self.aliases, self.sql = list(aliases), {alias: [] for alias in aliases}

    def __enter__(self):
        from contextlib import ExitStack

        from django.db import connections

        self._stack = ExitStack()
        for alias in self.aliases:
            self._stack.enter_context(connections[alias].execute_wrapper(self._record(alias)))
        return self

    def __exit__(self, *exc):
        self._stack.close()

    def _record(self, alias):
        def wrapper(execute, sql, params, many, context):
            self.sql[alias].append(sql)
            return execute(sql, params, many, context)

        return wrapper

    def catalogue(self, alias) -> list[str]:
        """The statements of ``alias`` that read the catalogue's tables."""
        return [s for s in self.sql[alias] if any(t in s for t in CATALOGUE_TABLES)]

    def catalogue_aliases(self) -> set[str]:
        return {alias for alias in self.aliases if self.catalogue(alias)}

    def replicas_used(self) -> set[str]:
        return {alias for alias in self.aliases if alias != "default" and self.sql[alias]}


@pytest.fixture
def reads(settings):
    """Reads(aliases) as a context manager: which alias ran which statement."""
    return lambda: Reads(settings.DATABASES)


@pytest.fixture
def proxies(mariadb):
    """proxies() makes a TcpProxy in front of the test database, stopped after the test."""
    made = []
    db = mariadb.settings_dict
    target = (db["HOST"] or "127.0.0.1", int(db["PORT"] or 3306))

    def make(to=None) -> TcpProxy:
        made.append(TcpProxy(to or target))
        return made[-1]

    yield make
    for proxy in made:
        proxy.stop()


@pytest.fixture
def replica_connection(mariadb, settings):
    """replica_connection(servers) is the stage's replica backend (replicas.backend) for an
    alias whose SERVERS are ``servers``: (name, "host:port") pairs, the last the primary."""
    base = replicas_part("backend.base")
    made = []

    def connect(servers):
        db = mariadb.settings_dict
        entries = []
        for name, address in servers:
            host, port = address.split(":")
            entries.append(
                {"name": name, "HOST": host, "PORT": port, "USER": db["USER"],
                 "PASSWORD": db["PASSWORD"], "NAME": db["NAME"]}
            )  # fmt: skip
        settings_dict = {**db, "ENGINE": "replicas.backend", "SERVERS": entries}
        settings_dict.update({k: entries[0][k] for k in ("HOST", "PORT")})
        made.append(base.DatabaseWrapper(settings_dict, alias=f"replica-under-test-{len(made)}"))
        return made[-1]

    yield connect
    for connection in made:
        connection.close()


@pytest.fixture
def primary_address(mariadb) -> str:
    db = mariadb.settings_dict
    return f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}"


@pytest.fixture(name="closed_port")
def closed_port_fixture():
    return closed_port


@pytest.fixture(name="database_url")
def database_url_fixture():
    """The test database's URL, for a process of the code under test."""
    from django.db import connection

    return database_url(connection.settings_dict)


@pytest.fixture
def shop_start(tmp_path):
    """shop_start(script, **environment) runs ``script`` in a new process of the code
    under test, with the stage's settings and the given environment (None: unset), as an
    app server starts; its CompletedProcess."""
    from django.conf import settings

    code = Path(settings.BASE_DIR)

    def start(script: str, **environment):
        env = code_env(code, SHOP_VAR_DIR=str(tmp_path / "var"))
        for name, value in environment.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return subprocess.run(
            [sys.executable, "-c", script], env=env, cwd=code, capture_output=True, text=True,
            timeout=60,
        )  # fmt: skip

    return start


@pytest.fixture(autouse=True)
def replica_marks_of_this_process_forgotten():
    """Each test starts with no replica marked dead or lagging in this process (the
    replicas/ package keeps both per process too, beside the shared cache)."""
    yield
    for module, marks in (("replicas.health", "_dead_here"), ("replicas.freshness", "_verdicts")):
        getattr(sys.modules.get(module), marks, {}).clear()
