"""Step 2: a page file is written whole or not at all, and no URL, however odd, makes
Django write anywhere but the right place in the page-file folder."""

import resource
import signal
from contextlib import contextmanager

import pytest
from django.http import HttpResponse
from django.urls import re_path, reverse

from workshop.testing.factories import ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.lesson]

# Readable names for the test ids: the paths themselves can be thousands of characters.
ODD_PATHS = {
    "dot-dot": "/../escaped/",
    "dot-dot-twice": "/p/../../escaped/",
    "encoded-dots": "/p/%2e%2e/%2e%2e/escaped/",  # the test client decodes it, as gunicorn does
    "encoded-slashes": "/p/..%2f..%2fescaped/",
    "empty-segment": "/p//escaped/",
    "dot": "/p/./",
    "hidden-name": "/p/.hidden/",
    "nul-byte": "/p/a\x00b/",
    "name-too-long": "/p/" + "a" * 300 + "/",  # longer than a file name may be
    "path-too-long": "/p/" + "abc/" * 1500,  # longer than a path may be
    "accent": "/p/caf\u00e9/",
    "space": "/p/a b/",
    "semicolon": "/p/a;b/",
    "colon": "/p/a:b/",
    "backslash": "/p/a\\b/",
    "tilde": "/p/~root/",
}
odd_paths = pytest.mark.parametrize("path", list(ODD_PATHS.values()), ids=list(ODD_PATHS))


class EveryPathIsAPage:
    """A URLconf that answers 200 to any path, so the file writer has to decide alone."""

    urlpatterns = [re_path(r"", lambda request: HttpResponse(b"<p>a page</p>"))]


@pytest.fixture
def anything_goes(settings):
    settings.ROOT_URLCONF = EveryPathIsAPage
    settings.PAGE_FILES_SAFE_URLS = [r".*"]


@odd_paths
def test_an_odd_path_is_answered_and_writes_no_file(
    client, page_files, anything_goes, tmp_path, path
):
    """Odd paths are refused, not cleaned up: "/p/../" must not become the home page."""
    page_files.written_by(client, "/p/a-plain-page/")
    before = {p for p in tmp_path.rglob("*")}

    response = client.get(path)

    assert response.status_code < 500, "an odd path must be answered, never a server error"
    written = {p for p in tmp_path.rglob("*")} - before
    assert len(written) == 0, "an odd path was written: page_file_path() says None to it"


@odd_paths
def test_the_shop_answers_an_odd_path_without_a_server_error(client, page_files, path):
    control = page_files.written_by(client, ProductFactory().get_absolute_url())

    assert client.get(path).status_code < 500, "an odd path must never be a server error"
    assert page_files.all() == control


@contextmanager
def disk_full_after(size: int):
    """Writes past ``size`` bytes fail, as on a full disk: a write stops half way."""
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write, not the process
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, limits[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, handler)


def test_a_write_that_fails_half_way_leaves_no_page_file(client, page_files):
    url = ProductFactory().get_absolute_url()

    with disk_full_after(1000):
        response = client.get(url)

    assert response.status_code == 200 and len(response.content) > 1000, (
        "a failed write must cost the page file, never the visitor's page"
    )
    assert page_files.all() == set(), "a write that failed left a file behind"
    page_files.written_by(client, url)  # with room on the disk again, it is written


def test_a_write_that_fails_half_way_keeps_the_previous_page_whole(client, page_files):
    product = ProductFactory()
    url = product.get_absolute_url()
    previous = client.get(url).content

    with disk_full_after(1000):
        response = client.get(url)

    assert response.status_code == 200, "a failed write must never cost the visitor's page"
    assert page_files.all() == {page_files.of(url)}, "a failed write left a file behind"
    assert page_files.of(url).read_bytes() == previous, "a failed write broke the old page"


def test_a_page_file_is_readable_by_the_web_server(client, page_files):
    page_files.written_by(client, reverse("home"))

    assert page_files.of("/").stat().st_mode & 0o004, "nginx's workers read it as another user"
