"""Every stage's stack, seen from outside: pages come through nginx from an app server,
a visitor's page is kept in memcached, static files come from nginx alone.

These run in every stage's test process on that stage's own native stack (see
workshop/testing/stack.py); they skip unless asked for: WORKSHOP_STACK_TESTS=1.
"""

import html
import uuid

import pytest
from pymemcache.client.base import Client as MemcachedClient

from workshop.testing.memcached import memcached_keys, memcached_stat
from workshop.testing.stack import access_log_size, wait_for_growth

pytestmark = pytest.mark.stack


def test_pages_load_through_nginx_from_the_app_server(stack, browser, stack_product):
    """With a query string, which no stage answers from a file in front of Django."""
    product = stack_product
    pages = ["/", f"/c/{product['category']}/", f"/p/{product['slug']}/", "/cart/"]
    for path in pages:
        path = f"{path}?from=stack-test-{uuid.uuid4().hex}"
        before = access_log_size(stack)

        response = browser.get(path)

        assert response.status_code == 200, path
        assert response.headers["Server"].startswith("nginx")
        assert wait_for_growth(lambda: access_log_size(stack), before), f"{path} missed gunicorn"


def test_a_page_for_a_visitor_without_session_sits_in_memcached(stack, browser, stack_product):
    port = stack.ports["cache"]
    path = f"/p/{stack_product['slug']}/?from=stack-test-{uuid.uuid4().hex}"  # a fresh page

    assert browser.get(path).status_code == 200

    cached = MemcachedClient(("127.0.0.1", port)).get_many(memcached_keys(port)).values()
    assert any(html.escape(stack_product["name"]).encode() in value for value in cached)
    hits = memcached_stat(port, "get_hits")
    assert browser.get(path).status_code == 200
    assert memcached_stat(port, "get_hits") > hits


def test_static_files_are_served_by_nginx_not_django(stack, browser):
    static_root = stack.run.var_dir / "static"
    css = next(static_root.rglob("*.css")).relative_to(static_root)
    before = access_log_size(stack)

    response = browser.get(f"/static/{css}")

    assert response.status_code == 200
    assert response.headers["Server"].startswith("nginx")
    assert "ETag" in response.headers and "Last-Modified" in response.headers
    assert not wait_for_growth(lambda: access_log_size(stack), before, timeout=0.5)
