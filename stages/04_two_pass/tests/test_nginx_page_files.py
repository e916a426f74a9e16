"""Step 5: nginx answers from a page file when the request could come from anyone, and
sends everything else to Django. A real nginx, on this stage's own deploy/nginx.conf.template
filled in as `workshop up` fills it from deploy/stack.toml, in front of a stand-in app
server that records what reaches it. Each test that shows a request reaching Django first
shows that a plain GET is served from its file."""

import http.client
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from workshop.stack.topology import topology_load
from workshop.testing.nginx import APP_ANSWER, StandInApp, nginx_serving
from workshop.testing.services import require

pytestmark = pytest.mark.lesson

PAGE = "<p>Kaito Vista 55, £499.99</p>".encode()
FILES = ["/", "/c/televisions/", "/p/kaito-vista-55/"]


def web_options() -> dict:
    """[web] of the stage's deploy/stack.toml: its nginx template and var_paths."""
    (web,) = [s for s in topology_load(settings.BASE_DIR).services if s.kind == "nginx"]
    return web.options


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
    options = web_options()
    # As `workshop up` does: each of var_paths is a folder in the shop's SHOP_VAR_DIR.
    var_dir = folder / "var"
    var_paths = {"STATIC_ROOT": "static", **options.get("var_paths", {})}
    values = {name: str(var_dir / sub) for name, sub in var_paths.items()}
    pages = var_dir / var_paths.get("PAGE_FILES_DIR", "pages")
    for url in FILES:
        file = pages / url.strip("/") / "index.html"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(PAGE)
    (folder / "secret").mkdir()
    (folder / "secret" / "index.html").write_text("SECRET, outside the page files")
    template = settings.BASE_DIR / "deploy" / options.get("config", "nginx.conf.template")
    try:
        with nginx_serving(template, folder / "web", app, **values) as url:
            yield url
    except ValueError as error:  # a ${NAME} that stack.toml does not set
        pytest.fail(f"{error}: name its folder in deploy/stack.toml, [web] var_paths", False)


def test_nginx_reads_the_folder_django_writes_into():
    """deploy/stack.toml tells nginx where the page files are; Django's PAGE_FILES_DIR
    puts them in the same folder of SHOP_VAR_DIR, or nginx finds none."""
    var_paths = web_options().get("var_paths", {})
    assert "PAGE_FILES_DIR" in var_paths, "deploy/stack.toml: [web] has no var_paths for it"
    nginx_reads = Path(os.environ["SHOP_VAR_DIR"]) / var_paths["PAGE_FILES_DIR"]
    django_writes = Path(getattr(settings, "PAGE_FILES_DIR", "(no PAGE_FILES_DIR setting)"))
    assert django_writes.resolve() == nginx_reads.resolve()


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


def served_from_its_file(web, reached, path="/", headers=None) -> None:
    """The positive control: a plain GET of ``path`` is answered from its file."""
    status, content = fetch(web, path, headers=headers)
    assert (status, content) == (200, PAGE), (
        f"nginx did not serve {path} from its page file ({status}: "
        f"{'Django answered' if content == APP_ANSWER else content[:80]!r}): try_files?"
    )
    assert reached == [], f"{path} reached the app server, though it has a file"


@pytest.mark.parametrize("path", FILES)
def test_a_page_with_a_file_is_served_from_it_without_reaching_django(web, reached, path):
    served_from_its_file(web, reached, path)


def test_a_visitor_with_other_cookies_still_gets_the_file(web, reached):
    """A CSRF cookie from an earlier visit to the login page holds nothing personal."""
    served_from_its_file(web, reached, "/", headers={"Cookie": "csrftoken=abc"})


@pytest.mark.parametrize("cookie", ["sessionid=abc", "csrftoken=abc; sessionid=abc"])
def test_a_session_cookie_goes_to_django(web, reached, cookie):
    served_from_its_file(web, reached)

    assert fetch(web, "/", headers={"Cookie": cookie}) == (200, APP_ANSWER), (
        "a visitor with a session got the page file, which may not be their page"
    )
    assert [method for method, _, _ in reached] == ["GET"]


def test_a_post_goes_to_django(web, reached):
    served_from_its_file(web, reached)
    body = "quantity=1"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    assert fetch(web, "/", method="POST", body=body, headers=headers) == (200, APP_ANSWER)
    assert [method for method, _, _ in reached] == ["POST"]


@pytest.mark.parametrize("query", ["?page=2", "?sort=price", "?utm_source=tv&page=2"])
def test_a_query_string_goes_to_django(web, reached, query):
    served_from_its_file(web, reached, "/c/televisions/")

    assert fetch(web, f"/c/televisions/{query}") == (200, APP_ANSWER), (
        f"/c/televisions/{query} got the plain page's file: a query string goes to Django"
    )
    assert [path for _, path, _ in reached] == [f"/c/televisions/{query}"]


@pytest.mark.parametrize(
    "query",
    ["?utm_source=tv&utm_campaign=spring", "?fbclid=IwAR0x", "?gclid=Cj0KCQ&_gl=1*x", "?"],
)
def test_a_campaign_link_gets_the_page_file(web, reached, query):
    """Tracking parameters say where a visitor came from, and change nothing on the page:
    a TV audience arrives by such links, and each would otherwise reach Django."""
    served_from_its_file(web, reached, "/c/televisions/")

    assert fetch(web, f"/c/televisions/{query}") == (200, PAGE), f"{query} reached Django"
    assert reached == []


def test_a_page_without_a_file_goes_to_django(web, reached):
    served_from_its_file(web, reached)

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
def test_no_path_reads_a_file_outside_the_page_files(web, reached, path):
    served_from_its_file(web, reached)

    status, content = fetch(web, path)

    assert b"SECRET" not in content
    assert status in (200, 400, 404)
