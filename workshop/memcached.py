"""Django's pymemcache backend, keeping its connection from one request to the next.

Django closes every memcached connection when a request finishes (``close_caches`` on
``request_finished``), so each request opens a new TCP connection first: a connect, an
accept in memcached and a close for two small gets. Django stopped doing that for
pylibmc, which keeps its own connections (ticket #11331); its pymemcache backend still
does it. The workshop's app servers are gunicorn sync workers, one thread each, and
Django gives every thread its own client: one connection per worker, reused. If
memcached restarts, pymemcache drops the broken socket and the next call reconnects.
"""

from django.core.cache.backends.memcached import PyMemcacheCache


class PersistentPyMemcacheCache(PyMemcacheCache):
    def close(self, **kwargs):
        pass  # keep the connection for the worker's next request
