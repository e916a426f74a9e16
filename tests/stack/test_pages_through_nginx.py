"""Every stage's stack, seen from outside: pages come through nginx from an app server,
a visitor's page is kept in memcached, static files come from nginx alone.

These run in every stage's test process on that stage's own native stack (see
workshop/testing/stack.py); they skip unless asked for: WORKSHOP_STACK_TESTS=1.
"""

import html
import uuid

import pytest
from pymemcache.client.base import Client as MemcachedClient

from workshop.stack.topology import topology_load
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


CAMPAIGNS = ["?utm_source=tv&utm_medium=broadcast", "?fbclid=IwAR0stack", "?gclid=stack&_gl=1"]


def test_a_campaign_link_is_answered_from_the_page_file(stack, browser, stack_product):
    """From stage 02 on: tracking parameters alone ask for the plain page. The first
    visitor by a campaign link has Django write the page file; nginx answers the next
    ones from it, whatever their tracking values, and Django never sees them."""
    # From stack.toml, as both the native stack and compose read it.
    var_paths = topology_load(stack.stage.path).service("web").options.get("var_paths", {})
    if "PAGE_FILES_DIR" not in var_paths:
        pytest.skip(f"{stack.stage.name} has no page files (stage 02 brings them)")
    path = f"/c/{stack_product['category']}/"
    page_file = stack.run.var_dir / var_paths["PAGE_FILES_DIR"] / path.strip("/") / "index.html"
    page_file.unlink(missing_ok=True)  # as a change to the catalogue would have left it
    before = access_log_size(stack)

    first = browser.get(f"{path}?utm_source=tv&utm_campaign=stack-test")

    assert first.status_code == 200 and "X-Page-File" not in first.headers
    assert page_file.exists(), "the first visitor by a campaign link wrote no page file"
    assert wait_for_growth(lambda: access_log_size(stack), before), "Django did not log it"
    before = access_log_size(stack)
    for query in CAMPAIGNS:
        response = browser.get(f"{path}{query}")
        assert response.status_code == 200
        assert response.headers.get("X-Page-File") == "hit", f"{query} reached Django"
    assert not wait_for_growth(lambda: access_log_size(stack), before, timeout=0.5)


def test_static_files_are_served_by_nginx_not_django(stack, browser):
    static_root = stack.run.var_dir / "static"
    css = next(static_root.rglob("*.css")).relative_to(static_root)
    before = access_log_size(stack)

    response = browser.get(f"/static/{css}")

    assert response.status_code == 200
    assert response.headers["Server"].startswith("nginx")
    assert "ETag" in response.headers and "Last-Modified" in response.headers
    assert not wait_for_growth(lambda: access_log_size(stack), before, timeout=0.5)
