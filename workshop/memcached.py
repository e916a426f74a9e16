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
"""

import os

from django.core.cache.backends.memcached import PyMemcacheCache


class PersistentPyMemcacheCache(PyMemcacheCache):
    _client = None
    _client_pid = None

    @property
    def _cache(self):
        if self._client_pid != os.getpid():
            self._client = self._class(self.client_servers, **self._options)
            self._client_pid = os.getpid()
        return self._client

    def close(self, **kwargs):
        pass  # keep the connection for the worker's next request
