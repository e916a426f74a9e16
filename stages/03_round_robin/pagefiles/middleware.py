"""Writes the page of a safe URL to its file when Django serves it to a visitor who could
be anyone: no session, a GET, no query string but tracking parameters (the first visitor
by a campaign link writes the file the next ones get). nginx serves the file from then on."""

import logging

from django.conf import settings

from workshop.tracking import query_without_tracking

from .files import page_file_path, page_remove, page_write, url_is_safe
from .versions import page_version

logger = logging.getLogger(__name__)


class PageFileMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        """For a safe URL (url_is_safe) requested by anyone (request_is_anonymous_get): its
        file (page_file_path, None for a path with no safe file name), the page's version
        before the render (page_version), the render, and a public response's page saved
        (page_file_save). Any other request only passes through."""
        # exercise 02: step 1: a safe URL, for a visitor who could be anyone: write its page
        if not request_is_anonymous_get(request) or not url_is_safe(request.path):
            return self.get_response(request)
        path = page_file_path(request.path)
        if path is None:
            return self.get_response(request)
        version = page_version(request.path)
        response = self.get_response(request)
        if response_is_public(response):
            page_file_save(request.path, path, response.content, version)
        return response
        # exercise 02: end, stand-in: return self.get_response(request)


def request_is_anonymous_get(request) -> bool:
    """The requests nginx answers from files: the same test as deploy/nginx.conf.template.
    Tracking parameters (?utm_source=tv) do not change the page: it is request.path's."""
    # exercise 02: step 1: a GET, no query string but tracking parameters, no session cookie
    return (
        request.method == "GET"
        and not query_without_tracking(request.META.get("QUERY_STRING", ""))
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )
    # exercise 02: end, stand-in: return False


def response_is_public(response) -> bool:
    """A page that may be anyone's: a whole 200 answer that sets no cookie."""
    # exercise 02: step 1: a 200, not streamed, that sets no cookie
    # A response that sets a cookie (a session, a CSRF token) belongs to one visitor.
    return response.status_code == 200 and not response.streaming and not response.cookies
    # exercise 02: end, stand-in: return False


def page_file_save(url_path, path, content: bytes, version: str) -> None:
    """Write the page with page_write(); a failed write costs the file, never the page.
    ``version`` is the page's version from before the render (see versions.py)."""
    # exercise 02: step 2: a write that fails costs the file, never the visitor's page
    try:
        page_write(path, content)
    except OSError:
        # A full disk costs a page file, never the visitor's page.
        logger.warning("could not write the page file %s", path, exc_info=True)
        return
    # exercise 02: end, stand-in: page_write(path, content)
    if page_version(url_path) != version:
        # The catalogue changed while this page was rendered, and its invalidation may
        # have run before this write: the page just written may be stale.
        page_remove(url_path)
