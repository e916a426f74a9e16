"""Stage 03's lesson, third part: a Django system check refuses to run several app servers
(APP_SERVERS > 1) on settings that keep state on one server, and names what to change."""

import subprocess
import sys

import pytest
from django.core.checks import Error, run_checks
from django.test import override_settings

pytestmark = pytest.mark.lesson

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MEMCACHED = {
    "default": {
        "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
        "LOCATION": "127.0.0.1:11211",
    }
}
FILE_SESSIONS = "django.contrib.sessions.backends.file"
DB_SESSIONS = "django.contrib.sessions.backends.db"


def errors_naming(setting: str, **settings) -> list[Error]:
    """The check's errors that name ``setting``, run with ``settings``."""
    with override_settings(**settings):
        errors = run_checks()
    return [e for e in errors if e.is_serious() and setting in e.msg + (e.hint or "")]


def test_the_check_refuses_file_sessions_on_several_servers_and_allows_one():
    these = {"CACHES": MEMCACHED, "SESSION_ENGINE": FILE_SESSIONS}

    refused = errors_naming("SESSION_ENGINE", APP_SERVERS=2, **these)
    allowed = errors_naming("SESSION_ENGINE", APP_SERVERS=1, **these)

    assert refused, "with 2 app servers, file sessions must fail the system check"
    assert refused[0].id, "a check error carries an id, such as shop.E001"
    assert allowed == [], "one server may keep its sessions in files"


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.filebased.FileBasedCache",
        "django.core.cache.backends.dummy.DummyCache",
    ],
    ids=lambda backend: backend.rsplit(".", 1)[-1],
)
def test_the_check_refuses_a_per_server_cache_on_several_servers(tmp_path, backend):
    per_server = {"default": {"BACKEND": backend, "LOCATION": str(tmp_path)}}
    these = {"SESSION_ENGINE": DB_SESSIONS, "APP_SERVERS": 2}

    assert errors_naming("CACHE", CACHES=MEMCACHED, **these) == [], "memcached is shared"
    assert errors_naming("CACHE", CACHES=per_server, **these), (
        f"with 2 app servers, {backend} must fail the system check"
    )


def test_the_check_refuses_sessions_in_a_per_server_cache():
    cached_db = "django.contrib.sessions.backends.cached_db"

    assert errors_naming("SESSION_ENGINE", CACHES=LOCMEM, SESSION_ENGINE=cached_db, APP_SERVERS=2)


def test_manage_py_check_fails_for_two_servers_on_the_embedded_defaults(tmp_path):
    """APP_SERVERS comes from the environment, as the stack sets it for each server; the
    embedded defaults (an in-process cache) are fine for one server, not for two."""
    from django.conf import settings

    code = settings.BASE_DIR
    env = {"PYTHONPATH": str(code), "SHOP_VAR_DIR": str(tmp_path), "PATH": ""}
    env["DJANGO_SECRET_KEY"] = "test-only-secret-key"

    def check(servers: str) -> subprocess.CompletedProcess:
        command = [sys.executable, str(code / "manage.py"), "check"]
        run_env = dict(env, APP_SERVERS=servers)
        return subprocess.run(command, env=run_env, capture_output=True, text=True, timeout=60)

    one, two = check("1"), check("2")

    assert one.returncode == 0, one.stderr
    assert two.returncode != 0 and "CACHE" in two.stderr, two.stderr
