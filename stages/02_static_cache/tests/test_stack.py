"""Stage 02 on its real topology: stage 01's (nginx in front of gunicorn, pages cached in
memcached, orders in MariaDB) with nginx answering from the page files first. The tests
start the stage's native stack themselves (on port 8101, beside any stack of yours on
8000) and speak to it only as a browser and as the servers' own clients do: HTTP through
nginx, the memcached protocol, SQL.

    WORKSHOP_STACK_TESTS=1 workshop test 02
"""

import html
import http.client
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from django.conf import settings
from pymemcache.client.base import Client as MemcachedClient

from workshop.stack.processes import process_alive
from workshop.stack.testing import (
    CSRF_INPUT,
    SKIP_REASON,
    Browser,
    memcached_keys,
    memcached_stat,
    stack_for_tests,
    stack_tests_enabled,
)
from workshop.stages import stage_get
from workshop.testing.services import require

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def stack():
    if not stack_tests_enabled():
        require(SKIP_REASON)
    # The stage these tests belong to, running the code under test (a learner's copy or
    # the stage itself: whichever folder Django's settings came from).
    stage = replace(stage_get(Path(__file__).resolve().parents[1].name), path=settings.BASE_DIR)
    stack = stack_for_tests(stage)
    stack.up()
    yield stack
    stack.down()


@pytest.fixture
def browser(stack):
    with Browser(stack.url) as browser:
        yield browser


@pytest.fixture(scope="module")
def product(stack):
    """A product in stock, read from the stack's MariaDB."""
    with stack.kind_of("db").connect() as db:
        cursor = db.cursor()
        cursor.execute(
            "SELECT p.id, p.slug, p.name, c.slug FROM catalogue_product p "
            "JOIN catalogue_category c ON c.id = p.category_id "
            "WHERE p.stock > 0 ORDER BY p.stock DESC, p.id LIMIT 1"
        )
        pk, slug, name, category = cursor.fetchone()
    return {"id": pk, "slug": slug, "name": name, "category": category}


def access_log_size(stack) -> int:
    return stack.kind_of("app").access_log.stat().st_size


def wait_for_growth(measure, before, timeout=2.0) -> bool:
    """gunicorn writes its access log line just after the response has gone out."""
    deadline = time.monotonic() + timeout
    while measure() == before:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_pages_load_through_nginx_from_the_app_server(stack, browser, product):
    """With a query string: the plain pages may come from their files (see below)."""
    paths = ["/?from=stack-test", f"/c/{product['category']}/?page=1", "/cart/"]
    for path in [*paths, f"/p/{product['slug']}/?from=stack-test"]:
        before = access_log_size(stack)

        response = browser.get(path)

        assert response.status_code == 200, path
        assert response.headers["Server"].startswith("nginx")
        assert wait_for_growth(lambda: access_log_size(stack), before), f"{path} missed gunicorn"


def test_a_page_for_a_visitor_without_session_sits_in_memcached(stack, browser, product):
    port = stack.ports["cache"]
    path = f"/p/{product['slug']}/?from=stack-test-{uuid.uuid4().hex}"  # a fresh cache entry

    assert browser.get(path).status_code == 200

    page_keys = [k for k in memcached_keys(port) if "cache_page" in k]
    cached = [MemcachedClient(("127.0.0.1", port)).get(key) for key in page_keys]
    assert any(html.escape(product["name"]).encode() in (value or b"") for value in cached)
    hits = memcached_stat(port, "get_hits")
    assert browser.get(path).status_code == 200
    assert memcached_stat(port, "get_hits") > hits


def test_an_order_placed_through_nginx_lands_in_mariadb(stack, browser, product):
    username = f"stack-{uuid.uuid4().hex[:10]}"
    browser.register(username)

    added = browser.submit(
        f"/cart/add/{product['id']}/", {"product_id": product["id"], "quantity": 2}
    )
    placed = browser.submit("/checkout/", {})

    assert added.status_code == 302
    assert placed.status_code == 302 and placed.headers["Location"].startswith("/orders/")
    order_id = int(placed.headers["Location"].strip("/").split("/")[-1])
    with stack.kind_of("db").connect() as db:
        cursor = db.cursor()
        cursor.execute(
            "SELECT u.username, l.product_id, l.quantity FROM orders_order o "
            "JOIN auth_user u ON u.id = o.customer_id "
            "JOIN orders_orderline l ON l.order_id = o.id WHERE o.id = %s",
            [order_id],
        )
        assert cursor.fetchall() == ((username, product["id"], 2),)


def test_static_files_are_served_by_nginx_not_django(stack, browser):
    static_root = stack.run.var_dir / "static"
    css = next(static_root.rglob("*.css")).relative_to(static_root)
    before = access_log_size(stack)

    response = browser.get(f"/static/{css}")

    assert response.status_code == 200
    assert response.headers["Server"].startswith("nginx")
    assert "ETag" in response.headers and "Last-Modified" in response.headers
    assert not wait_for_growth(lambda: access_log_size(stack), before, timeout=0.5)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/c/no-such-category/", 404),
        ("/p/no-such-product/", 404),
        ("/cart/add/999999999/", 404),
        ("/cart/add/abc/", 404),
        ("/orders/abc/", 404),
        ("/static/no-such-file.css", 404),
    ],
)
def test_unknown_things_are_a_404_through_nginx(browser, path, status):
    assert browser.get(path).status_code == status


@pytest.mark.parametrize("query", ["page=abc", "page=-1", "page=99999", "sort=;DROP", "q=%00"])
def test_odd_query_strings_are_no_server_error(browser, product, query):
    response = browser.get(f"/c/{product['category']}/?{query}")

    assert response.status_code == 200


def test_a_bad_quantity_is_a_400(browser, product):
    path = f"/cart/add/{product['id']}/"

    response = browser.submit(path, {"product_id": product["id"], "quantity": "abc"})

    assert response.status_code == 400


def test_a_post_without_csrf_token_is_a_403(browser, product):
    path = f"/cart/add/{product['id']}/"

    response = browser.post(path, data={"product_id": product["id"], "quantity": 1})

    assert response.status_code == 403


def test_a_form_posted_from_another_site_is_a_403_even_with_a_token(browser):
    """The Origin check needs the port of the Host nginx passes on, and sees a stranger."""
    page = browser.get("/accounts/login/")
    token = CSRF_INPUT.search(page.text).group(1)
    data = {"csrfmiddlewaretoken": token, "username": "shopper01", "password": "x"}

    response = browser.post("/accounts/login/", data=data, headers={"Origin": "http://evil.test"})

    assert response.status_code == 403


def test_a_forged_session_cookie_is_treated_as_no_session(browser):
    browser.cookies.set("sessionid", "forged-" + uuid.uuid4().hex)

    response = browser.get("/cart/")

    assert response.status_code == 200
    assert "Log in" in response.text


# Stage 02: the page files.


def page_file(stack, path: str) -> Path:
    return stack.run.var_dir / "pages" / path.strip("/") / "index.html"


def app_requests(stack) -> int:
    """How many requests gunicorn has answered: a line each in its access log."""
    return len(stack.kind_of("app").access_log.read_text().splitlines())


def settled_app_requests(stack) -> int:
    """The count once gunicorn has logged what is still under way."""
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
def fresh_page(stack, product):
    """A product page with no file yet."""
    path = f"/p/{product['slug']}/"
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
def test_a_session_a_query_string_or_a_post_reaches_django(stack, browser, product, request_args):
    request_args = dict(request_args)
    path = f"/p/{product['slug']}/"
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


def test_checkout_shows_the_new_stock_on_the_very_next_request(stack, browser, product):
    path = f"/p/{product['slug']}/"
    with stack.kind_of("db").connect() as db:
        cursor = db.cursor()
        cursor.execute("UPDATE catalogue_product SET stock = 9 WHERE id = %s", [product["id"]])
        db.commit()
    price_set(stack, product["slug"], "499.00")  # a save, so that the page shows stock 9
    anonymous = Browser(stack.url)
    assert "only 9 left" in anonymous.get(path).text
    anonymous.get(path)
    assert page_file(stack, path).exists()
    browser.register(f"stack-{uuid.uuid4().hex[:10]}")
    browser.submit(f"/cart/add/{product['id']}/", {"product_id": product["id"], "quantity": 2})

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


def test_down_leaves_no_process_and_no_listening_port(stack):
    """Last in this file: the stack goes down (the fixture's own down is then a no-op)."""
    pids = [pid for group in stack.service_pids().values() for pid in group]
    ports = list(stack.ports.values())
    assert pids and ports

    stack.down()

    assert [pid for pid in pids if process_alive(pid)] == []
    for port in ports:
        with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
            pass
