"""Stage 02 on its real topology: nginx answers from the page files before Django. The
tests run on the stage's native stack (a free port, a run folder of this run's own),
shared with the stack suite every stage runs (tests/stack/: pages through nginx, bad
input, orders in MariaDB, a real browser's walk, `down`), and speak to it only as a
browser and as the servers' own clients do: HTTP through nginx, SQL, the files on disk.

    WORKSHOP_STACK_TESTS=1 workshop test 02
"""

import http.client
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from workshop.testing.browser import Browser
from workshop.testing.stack import access_logs

pytestmark = pytest.mark.stack


def page_file(stack, path: str) -> Path:
    return stack.run.var_dir / "pages" / path.strip("/") / "index.html"


def app_requests(stack) -> int:
    """How many requests the app servers have answered: a line each in their access logs."""
    return sum(len(log.read_text().splitlines()) for log in access_logs(stack))


def settled_app_requests(stack) -> int:
    """The count once the app servers have logged what is still under way."""
    count = app_requests(stack)
    time.sleep(0.3)
    while app_requests(stack) != count:
        count = app_requests(stack)
        time.sleep(0.3)
    return count


def manage(stack, *args, **kwargs) -> subprocess.CompletedProcess:
    """A manage.py command against the stack's database, cache and page files."""
    command = [sys.executable, str(stack.stage.path / "manage.py"), *args]
    env = stack.stage.env(**stack.env(), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(command, cwd=stack.stage.path, env=env, capture_output=True, **kwargs)


@pytest.fixture
def fresh_page(stack, stack_product):
    """A product page with no file yet."""
    path = f"/p/{stack_product['slug']}/"
    page_file(stack, path).unlink(missing_ok=True)
    return path


def test_a_second_anonymous_request_is_served_from_the_file_without_django(
    stack, browser, fresh_page
):
    before = settled_app_requests(stack)
    first = browser.get(fresh_page)
    assert settled_app_requests(stack) == before + 1, "the first request is Django's"

    second = browser.get(fresh_page)

    assert settled_app_requests(stack) == before + 1, "the second reached gunicorn"
    assert second.headers.get("X-Page-File") == "hit" and "X-Page-File" not in first.headers
    assert second.content == first.content == page_file(stack, fresh_page).read_bytes()


@pytest.mark.parametrize(
    "request_args",
    [
        {"method": "GET", "cookies": {"sessionid": "stack-test"}},
        {"method": "GET", "params": {"sort": "price"}},
        {"method": "POST", "data": {"quantity": "1"}},
    ],
    ids=["session cookie", "query string", "POST"],
)
def test_a_session_a_query_string_or_a_post_reaches_django(
    stack, browser, stack_product, request_args
):
    request_args = dict(request_args)
    path = f"/p/{stack_product['slug']}/"
    browser.get(path)
    assert page_file(stack, path).exists()
    before = settled_app_requests(stack)

    response = browser.request(request_args.pop("method"), path, **request_args)

    assert "X-Page-File" not in response.headers
    assert settled_app_requests(stack) == before + 1


def price_set(stack, slug: str, price: str) -> None:
    code = (
        "from workshop.catalogue.models import Product; "
        f"p = Product.objects.get(slug={slug!r}); p.price = {price!r}; p.save()"
    )
    result = manage(stack, "shell", "-c", code)
    assert result.returncode == 0, result.stderr.decode()


@pytest.fixture
def listed_product(stack):
    """A product on the first page of its category's listing (the first by name)."""
    with stack.kind_of("db").connect() as db:
        cursor = db.cursor()
        cursor.execute(
            "SELECT p.slug, c.slug FROM catalogue_product p "
            "JOIN catalogue_category c ON c.id = p.category_id ORDER BY c.id, p.name, p.id LIMIT 1"
        )
        slug, category = cursor.fetchone()
    return {"slug": slug, "category": category}


def test_a_price_change_shows_on_the_very_next_request(stack, browser, listed_product):
    """The change comes from another process, as from the admin: the page files and the
    memcached copies (query strings included) must all go."""
    slug, category = listed_product["slug"], listed_product["category"]
    paths = [f"/p/{slug}/", f"/c/{category}/", f"/p/{slug}/?from=stack-test"]
    for path in paths * 2:  # the second time from the files and memcached
        browser.get(path)
    price = f"{uuid.uuid4().int % 900 + 100}.37"

    price_set(stack, slug, price)

    for path in paths:
        assert price in browser.get(path).text, f"{path} still shows the old price"


def test_checkout_shows_the_new_stock_on_the_very_next_request(stack, browser, stack_product):
    path = f"/p/{stack_product['slug']}/"
    with stack.kind_of("db").connect() as db:
        cursor = db.cursor()
        cursor.execute(
            "UPDATE catalogue_product SET stock = 9 WHERE id = %s", [stack_product["id"]]
        )
        db.commit()
    price_set(stack, stack_product["slug"], "499.00")  # a save, so that the page shows stock 9
    anonymous = Browser(stack.url)
    assert "only 9 left" in anonymous.get(path).text
    anonymous.get(path)
    assert page_file(stack, path).exists()
    browser.register(f"stack-{uuid.uuid4().hex[:10]}")
    browser.submit(f"/cart/add/{stack_product['id']}/", {"quantity": 2})

    assert browser.submit("/checkout/", {}).status_code == 302

    assert "only 7 left" in anonymous.get(path).text


@pytest.fixture
def outside(stack):
    """A file beside the page files, which no URL may read, and a symlink planted inside
    the page files that leads to it."""
    secret = stack.run.var_dir / "outside" / "index.html"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("SECRET, outside the page files")
    link = stack.run.var_dir / "pages" / "c" / "planted"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.unlink(missing_ok=True)
    link.symlink_to(secret.parent)
    yield stack.run.var_dir
    link.unlink()
    shutil.rmtree(secret.parent)


TRAVERSALS = [
    "/../outside/",
    "/%2e%2e/outside/",
    "/..%2foutside/",
    "/c/..%2f..%2foutside/",
    "/p/%2e%2e/%2e%2e/outside/",
    "/c/planted/",
    "/p/" + "a" * 300 + "/",
    "/p/a%00b/",
]


def files_outside_pages(var_dir: Path) -> set[Path]:
    skip = {var_dir / "pages", var_dir / "sessions"}
    return {p for p in var_dir.rglob("*") if not any(p.is_relative_to(s) for s in skip)}


@pytest.mark.parametrize("path", TRAVERSALS)
def test_a_traversal_neither_reads_nor_writes_outside_the_page_files(stack, outside, path):
    before = files_outside_pages(outside)
    pages_before = set((outside / "pages").rglob("*"))
    connection = http.client.HTTPConnection("127.0.0.1", stack.web_port, timeout=10)

    for _ in range(2):  # the second time, a file written the first time would answer
        connection.request("GET", path)  # as it is: no client tidies up ".." here
        response = connection.getresponse()
        body = response.read()
        assert b"SECRET" not in body
        assert response.status < 500

    connection.close()
    assert files_outside_pages(outside) == before
    assert set((outside / "pages").rglob("*")) == pages_before


# The kernel kills the process at its first write past 4 KB (SIGXFSZ, which Python
# ignores unless told otherwise): a real crash, half way through a page file.
CRASHING_WARM_UP = """
import resource, signal
signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
from django.core.management import call_command
call_command("warm_pages")
"""


def test_a_crash_in_the_middle_of_a_write_leaves_no_partial_page(stack):
    """warm_pages starts with the home page (about 5 KB) and dies after 4 KB of it."""
    home = page_file(stack, "/")
    for path in [home, *home.parent.glob(".*.tmp")]:
        path.unlink(missing_ok=True)

    result = manage(stack, "shell", "-c", CRASHING_WARM_UP, timeout=120)

    assert result.returncode == -signal.SIGXFSZ, result.stderr.decode()[-2000:]
    leftovers = list(home.parent.glob(".*.tmp"))
    assert [p.stat().st_size for p in leftovers] == [4096], "it did not die mid-write"
    assert not home.exists()
    response = Browser(stack.url).get("/")
    assert response.status_code == 200 and response.text.rstrip().endswith("</html>")
    assert "X-Page-File" not in response.headers
    leftovers[0].unlink()  # a crashed writer's temporary file: nginx never serves it
