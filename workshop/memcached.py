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
"""

import os

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.memcached import PyMemcacheCache

# memcached on the same network answers in well under a millisecond; a second without
# an answer means it is gone or frozen, not slow.
CONNECT_TIMEOUT = 0.5
READ_TIMEOUT = 0.5
DEAD_SECONDS = 5


class PersistentPyMemcacheCache(PyMemcacheCache):
    _client = None
    _client_pid = None

    def __init__(self, server, params):
        super().__init__(server, params)
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
