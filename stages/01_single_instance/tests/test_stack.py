"""Stage 01 on its real topology: nginx in front of gunicorn, pages cached in memcached,
orders in MariaDB. The tests start the stage's native stack themselves (on port 8101,
beside any stack of yours on 8000) and speak to it only as a browser and as the
servers' own clients do: HTTP through nginx, the memcached protocol, SQL.

    WORKSHOP_STACK_TESTS=1 workshop test 01
"""

import html
import socket
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
    for path in ["/", f"/c/{product['category']}/", f"/p/{product['slug']}/", "/cart/"]:
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
