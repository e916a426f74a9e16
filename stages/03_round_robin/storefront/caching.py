"""The stage 01 lesson: whole rendered pages cached in memcached.

A page is shared only between visitors who carry no session: no login, no cart. Their
pages are the same for all of them, and the shared pages hold no CSRF token (the
add-to-cart form lives on its own page). A visitor with a session gets a fresh render,
so nobody's name or cart can ever reach anyone else.

Stage 02: the page's version is part of the cache key, so a change to the catalogue,
which bumps it (pagefiles/invalidation.py), retires every cached copy of the page at once
instead of after PAGE_CACHE_SECONDS.
"""

from functools import wraps

from django.conf import settings
from django.views.decorators.cache import cache_page
from pagefiles.versions import page_version


def cache_page_for_visitors_without_session(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return view(request, *args, **kwargs)
        key_prefix = f"page.{page_version(request.path)}"
        cached_view = cache_page(settings.PAGE_CACHE_SECONDS, key_prefix=key_prefix)(view)
        return cached_view(request, *args, **kwargs)

    return wrapper
