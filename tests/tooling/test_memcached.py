"""The workshop's memcached backend keeps one connection per worker across requests,
where Django's own pymemcache backend opens a new one for every request."""

import os

import environ
import pytest
from django.core.cache.backends.memcached import PyMemcacheCache
from pymemcache.client.base import Client

from workshop.memcached import PersistentPyMemcacheCache
from workshop.settings_help import cache_from_env
from workshop.testing.services import require


@pytest.fixture
def server():
    """host:port of the memcached that CACHE_URL names, or the test skips."""
    url = os.environ.get("CACHE_URL", "")
    if not url.startswith("pymemcache://"):
        require(
            "needs memcached (apt-get install memcached), then CACHE_URL=pymemcache://127.0.0.1:11211"
        )
    return url.removeprefix("pymemcache://")


def connections_opened(server) -> int:
    host, port = server.rsplit(":", 1)
    stats = Client((host, int(port))).stats()
    return int(stats[b"total_connections"])


def requests_served(backend, server, requests=5) -> int:
    """Connections memcached accepted while ``backend`` served a few requests, each a
    get and then Django's end-of-request close()."""
    cache = backend(server, {})
    before = connections_opened(server)
    for n in range(requests):
        cache.get(f"workshop-test-{n}")
        cache.close()
    # The stats call opened one connection of its own.
    return connections_opened(server) - before - 1


def test_djangos_backend_reconnects_for_every_request(server):
    assert requests_served(PyMemcacheCache, server) == 5


def test_the_workshop_backend_keeps_its_connection(server):
    assert requests_served(PersistentPyMemcacheCache, server) == 1


def test_a_memcached_url_gets_the_persistent_backend(monkeypatch):
    monkeypatch.setenv("CACHE_URL", "pymemcache://cache:11211")

    config = cache_from_env(environ.Env(), default="locmemcache://")

    assert config["BACKEND"] == "workshop.memcached.PersistentPyMemcacheCache"
    assert config["LOCATION"] == "cache:11211"


def test_no_url_keeps_the_embedded_in_process_cache(monkeypatch):
    monkeypatch.delenv("CACHE_URL", raising=False)

    config = cache_from_env(environ.Env(), default="locmemcache://")

    assert config["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def round_trips(cache, key: str, times: int = 200) -> bool:
    """Whether every value set under ``key`` is the value read back."""
    for value in range(times):
        cache.set(key, value)
        if cache.get(key) != value:
            return False
    return True


def test_a_forked_worker_opens_its_own_connection(server):
    """gunicorn forks its workers from a master that may have used the cache: each child
    must talk on a socket of its own, or the answers of two processes interleave."""
    cache = PersistentPyMemcacheCache(server, {})
    cache.set("workshop-fork", "the master's")
    before = connections_opened(server)

    children = []
    for n in range(3):
        pid = os.fork()
        if pid == 0:  # the child never returns into pytest, whatever happens
            try:
                os._exit(0 if round_trips(cache, f"workshop-fork-{n}") else 1)
            finally:
                os._exit(2)
        children.append(pid)
    statuses = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]

    assert statuses == [0, 0, 0]
    assert connections_opened(server) - before - 1 == 3  # one per child; stats its own
    assert cache.get("workshop-fork") == "the master's"
