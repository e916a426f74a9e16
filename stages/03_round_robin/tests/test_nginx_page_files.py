"""Step 5: nginx answers from a page file when the request could come from anyone, and
sends everything else to Django. A real nginx, on this stage's deploy/nginx.conf.template,
in front of a stand-in app server that records what reaches it."""

import http.client
import shutil
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from workshop.testing.nginx import APP_ANSWER, StandInApp, nginx_serving
from workshop.testing.services import require

pytestmark = pytest.mark.lesson

PAGE = "<p>Kaito Vista 55, £499.99</p>".encode()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("nginx")


@pytest.fixture(scope="module")
def app():
    with StandInApp() as app:
        yield app


@pytest.fixture(scope="module")
def web(folder, app):
    if not shutil.which("nginx", path="/usr/sbin:/usr/local/sbin:/opt/homebrew/bin"):
        require("needs nginx: apt-get install nginx (macOS: brew install nginx)")
    for url in ["/", "/c/televisions/", "/p/kaito-vista-55/"]:
        file = folder / "pages" / url.strip("/") / "index.html"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(PAGE)
    (folder / "secret").mkdir()
    (folder / "secret" / "index.html").write_text("SECRET, outside the page files")
    template = settings.BASE_DIR / "deploy" / "nginx.conf.template"
    values = {"STATIC_ROOT": str(folder / "static"), "PAGE_FILES_DIR": str(folder / "pages")}
    with nginx_serving(template, folder / "web", app, **values) as url:
        yield url


@pytest.fixture
def reached(app):
    """The requests that reached the app server during the test."""
    app.requests.clear()
    return app.requests


def fetch(base, path, *, method="GET", headers=None, body=None):
    """The path exactly as given: no client tidies up "..", as an attacker's would not."""
    connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=5)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    content = response.read()
    connection.close()
    return response.status, content


@pytest.mark.parametrize("path", ["/", "/c/televisions/", "/p/kaito-vista-55/"])
def test_a_page_with_a_file_is_served_from_it_without_reaching_django(web, reached, path):
    assert fetch(web, path) == (200, PAGE)
    assert reached == []


def test_a_visitor_with_other_cookies_still_gets_the_file(web, reached):
    """A CSRF cookie from an earlier visit to the login page holds nothing personal."""
    assert fetch(web, "/", headers={"Cookie": "csrftoken=abc"}) == (200, PAGE)
    assert reached == []


@pytest.mark.parametrize("cookie", ["sessionid=abc", "csrftoken=abc; sessionid=abc"])
def test_a_session_cookie_goes_to_django(web, reached, cookie):
    assert fetch(web, "/", headers={"Cookie": cookie}) == (200, APP_ANSWER)
    assert [method for method, _, _ in reached] == ["GET"]


def test_a_post_goes_to_django(web, reached):
    body = "quantity=1"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    assert fetch(web, "/", method="POST", body=body, headers=headers) == (200, APP_ANSWER)
    assert [method for method, _, _ in reached] == ["POST"]


@pytest.mark.parametrize("query", ["?page=2", "?sort=price", "?utm_source=tv"])
def test_a_query_string_goes_to_django(web, reached, query):
    assert fetch(web, f"/c/televisions/{query}") == (200, APP_ANSWER)
    assert [path for _, path, _ in reached] == [f"/c/televisions/{query}"]


def test_a_page_without_a_file_goes_to_django(web, reached):
    assert fetch(web, "/p/kaito-vista-65/") == (200, APP_ANSWER)
    assert len(reached) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/../secret/",
        "/%2e%2e/secret/",
        "/c/%2e%2e/%2e%2e/secret/",
        "/c/..%2f..%2fsecret/",
        "/..%2fsecret/",
        "/c/televisions/../../../secret/",
    ],
)
def test_no_path_reads_a_file_outside_the_page_files(web, path):
    status, content = fetch(web, path)

    assert b"SECRET" not in content
    assert status in (200, 400, 404)
