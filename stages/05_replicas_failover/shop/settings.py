"""Stage 05: stage 04 with read replicas. The catalogue's reads go to the replicas, one per
request and round robin (replicas/router.py); a visitor who just wrote reads the primary
for a few seconds (replicas/pinning.py); a dead replica is passed over
(replicas/backend/). Embedded defaults (SQLite, in-process cache) unless the environment
names real servers: DATABASE_URL=mysql://… (the primary), DATABASE_REPLICA_URLS=mysql://…,
mysql://… (the replicas) and CACHE_URL=pymemcache://…"""

from pathlib import Path

import environ
from replicas.settings import replica_databases

from workshop.settings_help import cache_from_env, database_from_env, secret_key_from_env

env = environ.Env()
BASE_DIR = Path(__file__).resolve().parent.parent
# What the stage writes at run time (SQLite database, page files, static files); what one
# server keeps for itself goes to LOCAL_DIR below.
VAR_DIR = Path(env.str("SHOP_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = secret_key_from_env(env)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "web"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "workshop.catalogue",
    "storefront",
    "cart",
    "orders",
    "accounts",
    "pagefiles",
    # exercise 03: step 3: the app whose system check refuses settings that keep state on one server
    "stateless",
    # exercise 03: end
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the others, so it sees every cookie they set on the way out.
    "pagefiles.middleware.PageFileMiddleware",
    # Inside the page files' middleware, which then sees the pin cookie it may set.
    "replicas.middleware.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cart.context_processors.cart",
            ],
        },
    },
]

DATABASES = {"default": database_from_env(env, default=f"sqlite:///{VAR_DIR / 'shop.sqlite3'}")}
# Stage 03: every request of a visitor with a session now reads a table (the session, the
# cart), and opening a connection for it took more statements than the read itself. Each
# worker keeps its connection for a while (checked before it is used again);
# DB_CONN_MAX_AGE=0 opens one per request, as stages 01 and 02 do.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The primary takes every write; "replica1", "replica2", … (one per URL in
# DATABASE_REPLICA_URLS) serve the catalogue's reads. Without replica URLs, the aliases
# are the primary's database under other names: the router still runs.
DATABASES |= replica_databases(env, primary=DATABASES["default"])
DATABASE_ROUTERS = ["replicas.router.ReplicaRouter"]
# A replica that does not answer within this many seconds is passed over, and marked dead
# in the cache for REPLICA_DOWNTIME_SECONDS; then one request tries it again.
REPLICA_CONNECT_TIMEOUT = env.int("REPLICA_CONNECT_TIMEOUT", default=1)
# A replica that stops answering in the middle of a read: the read goes elsewhere after
# this many seconds (the catalogue's reads take milliseconds).
REPLICA_READ_TIMEOUT = env.int("REPLICA_READ_TIMEOUT", default=5)
REPLICA_DOWNTIME_SECONDS = env.int("REPLICA_DOWNTIME_SECONDS", default=30)
# How long a visitor who wrote reads the primary: longer than the replicas usually lag.
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=5)
# A rebuild after a change reads a replica only once it holds the change (its GTID
# position): it waits this long for the replica to apply it, then reads the primary.
REPLICA_WAIT_SECONDS = env.float("REPLICA_WAIT_SECONDS", default=0.5)
# A replica further behind the primary than this leaves the rotation until it catches up.
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=3)
# Both checks (replicas/freshness.py); off only to show what they prevent (a test).
REPLICA_FRESHNESS = env.bool("REPLICA_FRESHNESS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Both levels of stage 04 live here (memcached, CACHE_URL): level one, the data pages are
# built from; level two, pass one's page skeletons. Entries are retired by their versions
# as the data changes; DATA_CACHE_SECONDS only bounds what nothing reads any more.
CACHES = {"default": cache_from_env(env, default="locmemcache://")}
DATA_CACHE_SECONDS = env.int("DATA_CACHE_SECONDS", default=24 * 3600)

# The emergency fix: the pages of safe URLs are written as files into PAGE_FILES_DIR, and
# nginx serves them before it calls Django, so it must be given the same folder.
PAGE_FILES_DIR = Path(env.str("PAGE_FILES_DIR", default=str(VAR_DIR / "pages")))
# Safe: the same page for every visitor without a session (no name, cart or CSRF token).
PAGE_FILES_SAFE_URLS = [r"/", r"/c/[-a-z0-9]+/", r"/p/[-a-z0-9]+/"]

# Several app servers take turns (round robin), so none may keep what the next request
# needs. APP_SERVERS says how many run; the `stateless` check refuses settings that would
# keep state on one of them. Stage 02's page files stay in the shared PAGE_FILES_DIR.
# exercise 03: step 3: APP_SERVERS, how many app servers run, from the environment (default 1)
APP_SERVERS = env.int("APP_SERVERS", default=1)
# exercise 03: end
# This server's own disk, for what may be lost with it: upload scratch files, and the
# session files of anyone who switches SESSION_ENGINE back to "file".
LOCAL_DIR = Path(env.str("SHOP_LOCAL_DIR", default=str(VAR_DIR / "local")))
SESSION_FILE_PATH = LOCAL_DIR / "sessions"
SESSION_FILE_PATH.mkdir(parents=True, exist_ok=True)
# exercise 03: step 1: upload scratch files on this server's disk; sessions every server finds
FILE_UPLOAD_TEMP_DIR = LOCAL_DIR / "tmp"
FILE_UPLOAD_TEMP_DIR.mkdir(parents=True, exist_ok=True)

# Sessions in the database, where every server finds them, and (stage 04) a copy in the
# cache: pass two reads the session on every page, and the cart no longer comes with it.
# SESSION_ENGINE=django.contrib.sessions.backends.db to compare.
SESSION_ENGINE = env.str("SESSION_ENGINE", default="django.contrib.sessions.backends.cached_db")
# exercise 03: end, stand-in: SESSION_ENGINE = "django.contrib.sessions.backends.file"

# Stage 04: the logged-in user from the cache too (accounts/backends.py), so a customer's
# page from the cache reads nothing from the database.
AUTHENTICATION_BACKENDS = ["accounts.backends.CachedUserBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
