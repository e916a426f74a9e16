"""Settings helpers every stage shares: no lesson lives here, only friendly errors and
connection plumbing."""

import importlib.util
import sys

DEV_SECRET_KEY = "django-insecure-workshop-development-key-do-not-deploy"


def secret_key_from_env(env):
    key = env.str("DJANGO_SECRET_KEY", default="")
    if key:
        return key
    print(
        "warning: DJANGO_SECRET_KEY is not set, so the workshop's development key is used; "
        "set it before serving real customers.",
        file=sys.stderr,
    )
    return DEV_SECRET_KEY


def database_from_env(env, *, default, var="DATABASE_URL"):
    """The database from a URL in ``var``, with a one-line hint when its driver is missing."""
    config = env.db_url(var, default=default)
    if config["ENGINE"].endswith("mysql"):
        _require_mysql_driver(var)
        # Row-level locking and strict mode, as a real shop runs MariaDB.
        config.setdefault("OPTIONS", {}).update(
            {"charset": "utf8mb4", "init_command": "SET sql_mode='STRICT_TRANS_TABLES'"}
        )
    return config


def cache_from_env(env, *, default, var="CACHE_URL"):
    """The cache from a URL in ``var``; memcached through pymemcache keeps its
    connection between requests, sends without delay, and gives up on a memcached that
    is down or frozen within its timeouts, answering misses (see workshop.memcached)."""
    config = env.cache_url(var, default=default)
    if config["BACKEND"].endswith("PyMemcacheCache"):
        config["BACKEND"] = "workshop.memcached.PersistentPyMemcacheCache"
        config.setdefault("OPTIONS", {})["no_delay"] = True
    return config


def _require_mysql_driver(var):
    if importlib.util.find_spec("MySQLdb") is None:
        sys.exit(
            f"{var} names a MySQL/MariaDB server but mysqlclient is not installed: "
            "apt-get install libmariadb-dev pkg-config (macOS: brew install "
            "mariadb-connector-c pkg-config), then pip install -e '.[mysql]' (make setup does)."
        )
