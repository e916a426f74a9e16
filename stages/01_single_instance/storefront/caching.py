"""The stage 01 lesson: whole rendered pages cached in memcached.

A page is shared only between visitors who carry no session: no login, no cart. Their
pages are the same for all of them, and the shared pages hold no CSRF token (the
add-to-cart form lives on its own page). A visitor with a session gets a fresh render,
so nobody's name or cart can ever reach anyone else.
"""

from functools import wraps
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.views.decorators.cache import cache_page

from workshop.tracking import query_without_tracking


def cache_page_for_visitors_without_session(view):
    cached_view = cache_page(settings.PAGE_CACHE_SECONDS, key_prefix="page")(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return view(request, *args, **kwargs)
        _tracking_drop(request)
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
