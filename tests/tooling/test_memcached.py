"""The workshop's memcached backend keeps one connection per worker across requests,
where Django's own pymemcache backend opens a new one for every request."""

import contextlib
import os
import shutil
import socket
import subprocess
import threading
import time

import environ
import pytest
from django.core.cache.backends.memcached import PyMemcacheCache
from pymemcache.client.base import Client

from workshop.memcached import READ_TIMEOUT, PersistentPyMemcacheCache
from workshop.settings_help import cache_from_env
from workshop.testing import memcached_down
from workshop.testing.memcached import memcached_missing, memcached_unanswered
from workshop.testing.proxy import closed_port
from workshop.testing.services import require


@pytest.fixture
def server():
    """host:port of the memcached that CACHE_URL names, or the test skips."""
    url = os.environ.get("CACHE_URL", "")
    if not url.startswith("pymemcache://"):
        require(memcached_missing())
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


# A memcached that is down or frozen costs speed, never an error or a hung worker.


@pytest.fixture
def refused():
    """host:port where nothing listens: every connect is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening: the port stays ours, refusing
        yield f"127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def frozen():
    """host:port of a memcached as SIGSTOP leaves it: the kernel still accepts connections
    on its behalf, and nothing ever answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"127.0.0.1:{sock.getsockname()[1]}"


def within(seconds: float, call):
    """What ``call()`` returns (or raises), failing the test if it takes longer than
    ``seconds``: today's client, with no timeout, would wait on a frozen server forever."""
    outcome = {}

    def run():
        try:
            outcome["value"] = call()
        except Exception as error:  # handed to the test as it was raised
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"the cache call took more than {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def every_call(cache):
    """Each call a page or a session makes, and what it answered."""
    return {
        "get": cache.get("workshop-down", "the default"),
        "get_many": cache.get_many(["workshop-a", "workshop-b"]),
        "set": cache.set("workshop-down", 1),
        "set_many": sorted(cache.set_many({"workshop-a": 1, "workshop-b": 2})),
        "delete": cache.delete("workshop-down"),
        "delete_many": cache.delete_many(["workshop-a", "workshop-b"]),
        "has_key": cache.has_key("workshop-down"),
        "get_or_set": cache.get_or_set("workshop-down", "built"),
        "touch": cache.touch("workshop-down"),
        "add": cache.add("workshop-lock", 1),
    }


MISSES = {
    "get": "the default",
    "get_many": {},
    "set": None,
    "set_many": ["workshop-a", "workshop-b"],  # Django's answer: the keys not stored
    "delete": False,
    "delete_many": None,
    "has_key": False,
    "get_or_set": "built",
    "touch": False,
    # Nobody can hold a key in a memcached that is away: a lock taker builds at once.
    "add": True,
}


def test_a_key_held_in_a_live_memcached_is_not_added_again(server):
    cache = PersistentPyMemcacheCache(server, {})
    cache.delete("workshop-lock")

    assert cache.add("workshop-lock", 1, timeout=5) is True
    assert cache.add("workshop-lock", 1, timeout=5) is False


def test_a_refused_memcached_is_a_miss_and_nothing_raises(refused):
    cache = PersistentPyMemcacheCache(refused, {})

    assert within(2, lambda: every_call(cache)) == MISSES


def test_a_frozen_memcached_is_a_miss_within_the_timeout(frozen):
    cache = PersistentPyMemcacheCache(frozen, {})

    started = time.monotonic()
    assert within(5, lambda: cache.get("workshop-frozen", "the default")) == "the default"
    assert time.monotonic() - started < READ_TIMEOUT + 0.5


def test_after_one_failure_memcached_is_left_alone_for_a_while(frozen):
    """One timeout per worker while memcached stays frozen, not one per request."""
    cache = PersistentPyMemcacheCache(frozen, {})
    within(5, lambda: cache.get("workshop-frozen"))

    started = time.monotonic()
    answers = within(2, lambda: [every_call(cache) for _ in range(20)])

    assert time.monotonic() - started < 0.2
    assert answers == [MISSES] * 20


def test_after_the_dead_time_memcached_is_asked_again():
    """A dead mark lasts a while, not for ever: memcached started again where it was
    refused is left alone until the mark ends, then used again."""
    program = shutil.which("memcached")
    if program is None:
        require("needs memcached (apt-get install memcached)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dead = 2.0
    cache = PersistentPyMemcacheCache(f"127.0.0.1:{port}", {"OPTIONS": {"dead_timeout": dead}})
    assert cache.get("workshop-back", "missed") == "missed"  # refused: marked dead
    failed = time.monotonic()

    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    memcached = subprocess.Popen([program, "-l", "127.0.0.1", "-p", str(port), *user])
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                break
            time.sleep(0.05)
        cache.set("workshop-back", "too early")
        if time.monotonic() - failed < dead:  # memcached started within the mark
            assert cache.get("workshop-back") is None  # still marked dead: not asked

        # Past the mark: pymemcache looks at its dead servers once per dead_timeout, so
        # a mark can last up to twice as long.
        time.sleep(max(0.0, failed + 2 * dead + 0.3 - time.monotonic()))
        cache.set("workshop-back", "stored")
        assert cache.get("workshop-back") == "stored"
    finally:
        memcached.terminate()
        memcached.wait()


def test_a_write_lost_while_memcached_was_away_is_never_read_as_current(server):
    """A sale's version bump or a logout's session deletion that could not reach
    memcached must not leave the older entry passing for current once it answers again:
    the worker deletes every key whose write it lost before it reads anything."""
    with memcached_down.Proxy(server) as path:
        cache = PersistentPyMemcacheCache(path.address, {"OPTIONS": {"dead_timeout": 0.3}})
        cache.set("workshop-version", "before the sale")
        cache.set("workshop-session", "logged in")

        path.cut()  # memcached keeps both entries; this worker cannot reach it
        cache.set("workshop-version", "after the sale")
        cache.delete("workshop-session")  # the logout
        path.mend()
        time.sleep(0.8)  # past the dead mark (twice dead_timeout, and a margin)

        assert cache.get_many(["workshop-version", "workshop-session"]) == {}
        cache.set("workshop-version", "rebuilt")
        assert cache.get("workshop-version") == "rebuilt"  # and memcached is used again


def test_too_many_lost_writes_empty_memcached_when_it_returns(server, monkeypatch):
    """A worker that lost more writes than it keeps count of cannot say which entries
    are no longer true: it empties memcached, rather than trust any of them."""
    monkeypatch.setattr("workshop.memcached.LOST_MAX", 2)
    with memcached_down.Proxy(server) as path:
        cache = PersistentPyMemcacheCache(path.address, {"OPTIONS": {"dead_timeout": 0.3}})
        cache.set("workshop-untouched", "kept until the flush")

        path.cut()
        cache.set_many({f"workshop-lost-{n}": n for n in range(3)})
        path.mend()
        time.sleep(0.8)

        assert cache.get("workshop-untouched") is None


def test_a_set_many_that_times_out_marks_memcached_dead_too(frozen):
    """pymemcache's HashClient, ignoring errors, took a failed set_many for a success
    and never marked the server: every version bump would wait for the timeout."""
    cache = PersistentPyMemcacheCache(frozen, {})
    keys = {"workshop-a": 1, "workshop-b": 2}

    assert sorted(within(5, lambda: cache.set_many(keys))) == sorted(keys)
    started = time.monotonic()
    within(2, lambda: [cache.set_many(keys) for _ in range(10)])
    assert time.monotonic() - started < 0.2


def test_a_memcached_that_does_not_answer_is_named_with_how_to_start_it(monkeypatch):
    """Not a bare ConnectionRefusedError: where, which CACHE_URL, and the command."""
    address = closed_port()
    port = address.rsplit(":", 1)[1]
    monkeypatch.setenv("CACHE_URL", f"pymemcache://{address}")

    problem = memcached_unanswered(address)

    assert f"no memcached answers at 127.0.0.1:{port}" in problem
    assert f"CACHE_URL=pymemcache://127.0.0.1:{port}: ConnectionRefusedError" in problem
    assert f"workshop memcached --port {port}" in problem


def test_a_test_that_needs_memcached_names_the_cache_url_it_found(monkeypatch):
    monkeypatch.setenv("CACHE_URL", "locmemcache://")
    assert "CACHE_URL=locmemcache:// is not one" in memcached_missing()
    monkeypatch.delenv("CACHE_URL")
    assert "CACHE_URL is not set" in memcached_missing()


def test_the_servers_a_step_needs_are_started_by_a_workshop_command():
    from workshop.cli import build_parser

    for server, port in (("memcached", 11211), ("mariadb", 3307)):
        args = build_parser().parse_args([server])
        assert args.port == port and callable(args.handler)
