"""The replica aliases of settings.DATABASES, from DATABASE_REPLICA_URLS (comma-separated
mysql:// URLs, one per replica). Without it, the aliases are the primary's database under
other names, so the router still runs (and tests treat them as Django's TEST MIRROR)."""

import sys
import warnings
from urllib.parse import urlsplit

import environ

PRIMARY = "default"
ENGINE = "replicas.backend"  # replicas/backend/: Django's mysql backend that fails over
# How many aliases stand in for replicas when no replica URL is given.
STAND_IN_REPLICAS = 2
KEYS = ("NAME", "USER", "PASSWORD", "HOST", "PORT")
# Stage 03's kept connections, checked before reuse: a replica alias keeps its connection
# from one request to the next as the primary's does, or every request connects again.
KEPT = ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")


def replica_databases(env, *, primary: dict, var="DATABASE_REPLICA_URLS") -> dict:
    """{"replica1": {...}, "replica2": {...}}: the replicas of ``primary``."""
    # exercise 05: step 1: an alias per replica URL; without any, the primary's database twice
    urls = env.list(var, default=[])
    if not urls:
        return {
            f"replica{n}": primary | {"TEST": {"MIRROR": PRIMARY}}
            for n in range(1, STAND_IN_REPLICAS + 1)
        }
    if not primary["ENGINE"].endswith("mysql"):
        sys.exit(f"{var} names replicas, but DATABASE_URL is no MariaDB (mysql://) primary.")
    servers = [_server(f"replica{n}", url, primary, var) for n, url in enumerate(urls, 1)]
    primary_server = _server_of("primary", primary)
    return {
        server["name"]: {
            "ENGINE": ENGINE,
            **{key: server[key] for key in KEYS},
            "OPTIONS": dict(primary.get("OPTIONS", {})),
            **{key: primary[key] for key in KEPT if key in primary},
            "TEST": {"MIRROR": PRIMARY},
            # Where this alias may connect, in order: its own replica, the next ones, and
            # the primary when every replica is dead (replicas/backend/base.py).
            "SERVERS": [*servers[n:], *servers[:n], primary_server],
        }
        for n, server in enumerate(servers)
    }
    # exercise 05: end, stand-in: return {}


def _server(name: str, url: str, primary: dict, var: str) -> dict:
    """One replica from its URL; a URL that cannot be one stops the start with one line."""
    where = f"{var}: replica {name[7:]}, {_without_password(url)}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # environ's warning about the scheme: ours follows
            config = environ.Env.db_url_config(url)
    except ValueError as error:
        sys.exit(f"{where}: {error}")
    if not config.get("ENGINE", "").endswith("mysql"):
        sys.exit(f"{where}: not a mysql:// URL (mysql://user:password@host:port/database)")
    if not config["HOST"]:
        sys.exit(f"{where}: it names no host (mysql://user:password@host:port/database)")
    # A replica URL may leave out the user, password or database: the primary's, then.
    return _server_of(name, {key: config[key] or primary.get(key, "") for key in KEYS})


def _server_of(name: str, config: dict) -> dict:
    return {"name": name, **{key: config.get(key) or "" for key in KEYS}}


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@", 1)
    return url
