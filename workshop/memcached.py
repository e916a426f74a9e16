"""Django's pymemcache backend, keeping its connection from one request to the next.

Django closes every memcached connection when a request finishes (``close_caches`` on
``request_finished``), so each request opens a new TCP connection first: a connect, an
accept in memcached and a close for two small gets. Django stopped doing that for
pylibmc, which keeps its own connections (ticket #11331); its pymemcache backend still
does it. The workshop's app servers are gunicorn sync workers, one thread each, and
Django gives every thread its own client: one connection per worker, reused. If
memcached restarts, pymemcache drops the broken socket and the next call reconnects.

A kept connection belongs to the process that opened it. gunicorn loads the app once
and forks its workers from it (``preload_app``); if loading used the cache (stage 05
asks it which replicas are dead), every worker would inherit that one socket, and their
commands and answers would interleave on it. So a forked worker opens its own.

A cache may fail; the shop must not fail with it. A memcached that is down (refused) or
frozen (it accepts and never answers: SIGSTOP, a full machine) costs speed, never an
error or a hung worker: every call gives up after a short timeout and answers as a miss
(a get its default, a set or delete nothing), so pages are built from the database and
sessions read from it (stages 04 and 05: cached_db). After one failure the worker leaves
memcached alone for DEAD_SECONDS, answering misses at once (pymemcache's HashClient keeps
that mark, per process): a frozen memcached costs each worker one timeout per
DEAD_SECONDS, not one per request. Then the next call asks it again.

A write that failed, or was skipped while memcached was left alone, may leave memcached
holding what is no longer true: the versions before a sale's bump, a session that a
logout ended. So the worker keeps the keys of the writes it lost, and deletes them before
anything else once memcached answers again: such an entry is rebuilt, never trusted.
"""

import os

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.memcached import PyMemcacheCache
from pymemcache.client.hash import HashClient

# memcached on the same network answers in well under a millisecond; a second without
# an answer means it is gone or frozen, not slow.
CONNECT_TIMEOUT = 0.5
READ_TIMEOUT = 0.5
DEAD_SECONDS = 5
# Beyond this many lost keys in one worker, it empties memcached when it returns instead.
LOST_MAX = 1000

# The commands whose failure may leave an entry that is no longer true (not incr/decr:
# deleting a counter would lose what it counted).
_WRITES = frozenset({"set", "add", "replace", "append", "prepend", "cas", "delete"})
_FAILED = object()
_EVERYTHING = "*"  # the lost keys were too many: flush


class LostWritesClient(HashClient):
    """pymemcache's HashClient, remembering the keys whose write this process lost and
    deleting them first once memcached answers again."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lost: set[str] = set()

    def _run_cmd(self, cmd, key, default_val, *args, **kwargs):
        self._replay()
        result = super()._run_cmd(cmd, key, _FAILED, *args, **kwargs)
        if result is not _FAILED:
            return result
        if cmd in _WRITES:
            self._lose([key])
        return default_val

    def get_many(self, keys, *args, **kwargs):
        self._replay()
        return super().get_many(keys, *args, **kwargs)

    def set_many(self, values, *args, **kwargs):
        self._replay()
        failed = super().set_many(values, *args, **kwargs)
        self._lose(failed)
        return failed

    # HashClient's aliases name its own methods; Django calls these.
    get_multi, set_multi = get_many, set_many

    def _set_many(self, client, values, *args, **kwargs):
        # HashClient's own, with ignore_exc, swallows the error and reports every key as
        # stored: handed on, it marks the server failed and every key as not stored.
        try:
            failed = client.set_many(values, *args, **kwargs)
        except Exception as error:
            return [], list(values), error
        return [key for key in values if key not in failed], failed, None

    def _lose(self, keys) -> None:
        self.lost.update(keys)
        if len(self.lost) > LOST_MAX:
            self.lost = {_EVERYTHING}

    def _replay(self) -> None:
        """Delete the lost keys; at the first that fails, memcached is still away (or
        left alone): the rest wait for the next call."""
        if not self.lost:
            return
        pending, self.lost = list(self.lost), set()
        for n, key in enumerate(pending):
            if not self._forget(key):
                self.lost.update(pending[n:])
                return

    def _forget(self, key: str) -> bool:
        """Whether memcached now holds nothing under ``key`` (or nothing at all)."""
        if key != _EVERYTHING:
            return super()._run_cmd("delete", key, _FAILED, noreply=False) is not _FAILED
        client = self._get_client(key)  # None while memcached is left alone
        if client is None:
            return False
        flushed = self._safely_run_func(client, client.flush_all, _FAILED, noreply=False)
        return flushed is not _FAILED


class PersistentPyMemcacheCache(PyMemcacheCache):
    _client = None
    _client_pid = None

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = LostWritesClient
        options = params.get("OPTIONS") or {}
        self._options = {
            **self._options,
            "connect_timeout": options.get("connect_timeout", CONNECT_TIMEOUT),
            "timeout": options.get("timeout", READ_TIMEOUT),
            # A failure is a miss, and marks memcached dead at once (no retries that
            # would each cost a timeout) for dead_timeout seconds.
            "ignore_exc": True,
            "retry_attempts": 0,
            "dead_timeout": options.get("dead_timeout", DEAD_SECONDS),
        }

    @property
    def _cache(self):
        if self._client_pid != os.getpid():
            self._client = self._class(self.client_servers, **self._options)
            self._client_pid = os.getpid()
        return self._client

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """True if ``key`` was stored, False if someone holds it. With memcached away,
        nobody can hold it either: True, so a worker taking a lock to build an entry
        (storefront/caching.py) builds it at once rather than wait for a builder that
        cannot exist."""
        return super().add(key, value, timeout, version) or self._away(key, version)

    def _away(self, key, version) -> bool:
        # The server for this key is marked dead (pymemcache's hash ring has no node
        # left for it): the add above did not reach memcached.
        hashed = self.make_and_validate_key(key, version=version)
        return self._cache.hasher.get_node(hashed) is None

    def close(self, **kwargs):
        pass  # keep the connection for the worker's next request
