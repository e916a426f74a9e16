"""Step 1: the replicas' settings. Each URL in DATABASE_REPLICA_URLS becomes an alias of
settings.DATABASES; without any, the aliases are the primary's database under other
names (the embedded default: the router still runs); a URL that cannot be a replica
stops the start with one clear line, never a traceback."""

import importlib.util
import json

import pytest

from workshop.testing.services import require

SETTINGS_JSON = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({
    "databases": {
        alias: {key: db.get(key) for key in ("ENGINE", "HOST", "PORT", "NAME", "TEST")}
        for alias, db in settings.DATABASES.items()
    },
    "routers": settings.DATABASE_ROUTERS,
}))
"""
PRIMARY = "mysql://shop:secret@127.0.0.1:3306/shop"
REPLICAS = "mysql://shop:secret@127.0.0.1:3307/shop,mysql://shop:secret@127.0.0.1:3308/shop"


def settings_of(shop_start, **environment) -> dict:
    started = shop_start(SETTINGS_JSON, **environment)
    assert started.returncode == 0, started.stderr[-2000:]
    return json.loads(started.stdout.strip().splitlines()[-1])


@pytest.fixture
def mysqlclient():
    """The settings of a MariaDB primary need its driver (not a server)."""
    if importlib.util.find_spec("MySQLdb") is None:
        require("needs mysqlclient: apt-get install libmariadb-dev pkg-config, then make setup")


def test_each_replica_url_becomes_an_alias_beside_the_primary(shop_start, mysqlclient):
    found = settings_of(shop_start, DATABASE_URL=PRIMARY, DATABASE_REPLICA_URLS=REPLICAS)

    databases = found["databases"]
    assert sorted(databases) == ["default", "replica1", "replica2"], (
        f"DATABASES has {sorted(databases)}: one alias per replica URL, replica1 and replica2"
    )
    assert databases["default"]["PORT"] == 3306
    assert [databases[a]["PORT"] for a in ("replica1", "replica2")] == [3307, 3308]
    assert {databases[a]["HOST"] for a in databases} == {"127.0.0.1"}
    assert found["routers"], "no DATABASE_ROUTERS: nothing sends reads to the replicas"


def test_the_replicas_connect_through_the_failover_backend(shop_start, mysqlclient):
    found = settings_of(shop_start, DATABASE_URL=PRIMARY, DATABASE_REPLICA_URLS=REPLICAS)

    engines = {alias: db["ENGINE"] for alias, db in found["databases"].items()}
    assert engines["default"] == "django.db.backends.mysql"
    assert engines["replica1"] == engines["replica2"] == "replicas.backend", engines


def test_without_replica_urls_the_aliases_are_the_primary_s_database(shop_start):
    found = settings_of(shop_start, DATABASE_URL=None, DATABASE_REPLICA_URLS=None)

    databases = found["databases"]
    replicas = sorted(alias for alias in databases if alias != "default")
    assert len(replicas) >= 2, f"DATABASES has {sorted(databases)}: no aliases for replicas"
    for alias in replicas:
        assert databases[alias]["NAME"] == databases["default"]["NAME"]
        assert databases[alias]["TEST"]["MIRROR"] == "default", (
            f"{alias} is the primary's database: in tests, a TEST MIRROR of default"
        )
    assert found["routers"]


@pytest.mark.parametrize(
    "url",
    [
        "mysql://shop@127.0.0.1:not-a-port/shop",
        "not a url",
        "postgres://shop@127.0.0.1/shop",
        "mysql:///shop",
    ],
    ids=["bad-port", "not-a-url", "not-mysql", "no-host"],
)
def test_a_replica_url_that_cannot_be_one_stops_the_start_with_one_line(
    shop_start, mysqlclient, url
):
    started = shop_start(SETTINGS_JSON, DATABASE_URL=PRIMARY, DATABASE_REPLICA_URLS=url)

    assert started.returncode != 0, f"the shop started with DATABASE_REPLICA_URLS={url!r}"
    lines = started.stderr.strip().splitlines()
    assert "Traceback" not in started.stderr, started.stderr[-2000:]
    assert len(lines) == 1 and "DATABASE_REPLICA_URLS" in lines[0], lines


def test_a_replica_url_beside_a_primary_that_is_no_mariadb_stops_with_one_line(shop_start):
    started = shop_start(SETTINGS_JSON, DATABASE_URL=None, DATABASE_REPLICA_URLS=REPLICAS)

    assert started.returncode != 0
    assert "Traceback" not in started.stderr, started.stderr[-2000:]
    lines = started.stderr.strip().splitlines()
    assert len(lines) == 1 and "DATABASE_REPLICA_URLS" in lines[0], lines


def test_a_password_in_a_bad_replica_url_is_never_shown(shop_start, mysqlclient):
    url = "mysql://shop:hunter2@127.0.0.1:bad/shop"
    started = shop_start(SETTINGS_JSON, DATABASE_URL=PRIMARY, DATABASE_REPLICA_URLS=url)

    assert started.returncode != 0
    assert "hunter2" not in started.stderr, started.stderr
