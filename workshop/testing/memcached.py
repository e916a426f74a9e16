"""Direct looks into a stack's memcached (its keys and its statistics), and the tests'
memcached outside a stack: whether one answers at CACHE_URL, and how to start one."""

import functools
import os
import socket
from urllib.parse import unquote

from workshop.stack.ports import HOST

from .services import require


def memcached_command(port: int, command: str) -> list[str]:
    """The lines memcached answers to a text-protocol command, up to its END."""
    with socket.create_connection((HOST, port), timeout=5) as sock:
        sock.sendall(command.encode() + b"\r\n")
        answer = b""
        while not answer.endswith(b"END\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer.decode(errors="replace").splitlines()[:-1]


def memcached_keys(port: int) -> list[str]:
    lines = memcached_command(port, "lru_crawler metadump all")
    return [unquote(line.split()[0][len("key=") :]) for line in lines if line.startswith("key=")]


def memcached_stat(port: int, name: str) -> int:
    for line in memcached_command(port, "stats"):
        _, key, value = line.split(" ", 2)
        if key == name:
            return int(value)
    raise KeyError(name)


def cache_url_shown() -> str:
    return f"CACHE_URL={os.environ['CACHE_URL']}" if os.environ.get("CACHE_URL") else "no CACHE_URL"


def memcached_start_hint(port: int = 11211) -> str:
    return (
        f"start one in another terminal with `workshop memcached --port {port}` (or "
        f"`memcached -u nobody -l 127.0.0.1 -p {port} &`; apt-get install memcached), then "
        f"CACHE_URL=pymemcache://127.0.0.1:{port}"
    )


def memcached_missing() -> str:
    """Why a test that needs memcached skips when CACHE_URL names none."""
    url = os.environ.get("CACHE_URL")
    now = f"CACHE_URL={url} is not one" if url else "CACHE_URL is not set (the in-process cache)"
    return f"needs memcached, and {now}: {memcached_start_hint()}"


def memcached_require(settings) -> None:
    """The test needs the default cache to be memcached (a lock held across processes),
    or it skips, saying what CACHE_URL is now and how to start one."""
    if "PyMemcacheCache" not in settings.CACHES["default"]["BACKEND"]:
        require(memcached_missing())


@functools.cache
def memcached_unanswered(location: str) -> str | None:
    """Why the memcached at ``location`` (host:port) cannot be used, or None."""
    host, _, port = location.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=2) as sock:
            sock.sendall(b"version\r\n")
            if sock.recv(64).startswith(b"VERSION"):
                return None
            problem = "an answer that is not memcached's"
    except OSError as error:
        problem = type(error).__name__
    return (
        f"no memcached answers at {location} ({cache_url_shown()}: {problem}): "
        f"{memcached_start_hint(int(port))}, or unset CACHE_URL for the in-process cache"
    )


def memcached_check(settings) -> None:
    """Every shop test whose cache is a memcached skips, saying so, when none answers
    there: a dead cache would fail its tests for reasons that are not the code's."""
    config = settings.CACHES["default"]
    if "PyMemcacheCache" not in config["BACKEND"]:
        return
    locations = config["LOCATION"]
    for location in [locations] if isinstance(locations, str) else locations:
        problem = memcached_unanswered(location)
        if problem:
            require(problem)
