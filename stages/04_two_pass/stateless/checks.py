"""A system check (manage.py check, migrate, runserver): with several app servers
(APP_SERVERS > 1), no setting may keep state on one of them, since the next request of
the same visitor goes to another server."""

from django.conf import settings
from django.core.checks import Error

# Cache backends whose entries live in one process, or on one machine's disk.
PER_SERVER_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache": "lives inside one server process",
    "django.core.cache.backends.filebased.FileBasedCache": "lives on one server's disk",
    "django.core.cache.backends.dummy.DummyCache": "keeps nothing, so no server sees "
    "what another stored",
}
CACHE_SESSIONS = {
    "django.contrib.sessions.backends.cache",
    "django.contrib.sessions.backends.cached_db",
}


def stateless_check(app_configs, **kwargs) -> list[Error]:
    # exercise 03: step 3: with several app servers, the errors of the caches and of the sessions
    servers = getattr(settings, "APP_SERVERS", 1)
    if servers <= 1:
        return []
    return [*_caches_check(servers), *_sessions_check(servers)]
    # exercise 03: end, stand-in: return []


def _caches_check(servers: int) -> list[Error]:
    # exercise 03: step 3: an Error (an id, the setting to change) per cache kept on one server
    errors = []
    for alias, config in settings.CACHES.items():
        why = PER_SERVER_CACHES.get(config["BACKEND"])
        if why:
            errors.append(
                Error(
                    f"CACHES[{alias!r}] uses {config['BACKEND'].rsplit('.', 1)[-1]}, which "
                    f"{why}: with {servers} app servers, a page one of them invalidates "
                    "stays stale on the others.",
                    hint="Set CACHE_URL to a cache every server shares, e.g. "
                    "pymemcache://127.0.0.1:11211, or run APP_SERVERS=1.",
                    id="stateless.E002",
                )
            )
    return errors
    # exercise 03: end, stand-in: return []


def _sessions_check(servers: int) -> list[Error]:
    # exercise 03: step 3: an Error when sessions live in files, or in a cache kept on one server
    engine = settings.SESSION_ENGINE
    if engine == "django.contrib.sessions.backends.file":
        where = f"in files on one server's disk ({settings.SESSION_FILE_PATH})"
    elif engine in CACHE_SESSIONS:
        backend = settings.CACHES[settings.SESSION_CACHE_ALIAS]["BACKEND"]
        if backend not in PER_SERVER_CACHES:
            return []
        where = f"in the per-server cache {settings.SESSION_CACHE_ALIAS!r}"
    else:
        return []
    return [
        Error(
            f"SESSION_ENGINE {engine!r} keeps sessions {where}: with {servers} app servers, "
            "a visitor's next request finds no session, and no login or cart.",
            hint="Set SESSION_ENGINE to 'django.contrib.sessions.backends.db' (or cached_db "
            "with a shared CACHE_URL), or run APP_SERVERS=1.",
            id="stateless.E001",
        )
    ]
    # exercise 03: end, stand-in: return []
