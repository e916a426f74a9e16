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
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.views.decorators.cache import cache_page
from pagefiles.versions import page_version

from workshop.tracking import query_without_tracking


def cache_page_for_visitors_without_session(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return view(request, *args, **kwargs)
        _tracking_drop(request)
        key_prefix = f"page.{page_version(request.path)}"
        cached_view = cache_page(settings.PAGE_CACHE_SECONDS, key_prefix=key_prefix)(view)
        return cached_view(request, *args, **kwargs)

    return wrapper


def _tracking_drop(request) -> None:
    """The cache keys its copies by the full URL: without this, every ?utm_source=…,
    ?fbclid=… of a campaign would render the page afresh and store one more copy of it.
    Tracking parameters change nothing on the page, so the key (and the view) get the
    query without them."""
    query = request.META.get("QUERY_STRING", "")
    kept = query_without_tracking(query)
    if len(kept) < len(parse_qsl(query, keep_blank_values=True)):
        request.META["QUERY_STRING"] = urlencode(kept)
        request.__dict__.pop("GET", None)  # read again from the query without them
