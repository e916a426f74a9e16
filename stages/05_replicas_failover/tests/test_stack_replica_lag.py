"""Replicas read only when fresh enough, on the real topology (issue 21): with both
replicas' SQL threads stopped (they fetch the primary's log and apply none of it), a
price changed on the primary shows on the product page well after any pin or timer has
run out, and no cache entry stored under the product's new version holds the old price;
`workshop status 05` says the lagging replicas are out of the rotation.

    WORKSHOP_STACK_TESTS=1 workshop test 05
"""

import contextlib
import hashlib
import subprocess
import sys
import time
import uuid
from decimal import Decimal

import pytest

from workshop.commands.stack import stack_status_print
from workshop.stack.databases import (
    replica_sql_thread_start,
    replica_sql_thread_stop,
    replica_wait_caught_up,
)
from workshop.testing.appservers import AppServer
from workshop.testing.browser import Browser
from workshop.testing.memcached import memcached_keys

pytestmark = pytest.mark.stack

REPLICAS = ("replica1", "replica2")
# Longer than the pin (REPLICA_PIN_SECONDS, 5 s) and the rotation's lag bound (3 s): what
# shows now is decided by the replicas' positions, not by a timer.
LATER = 10
PRICE_CHANGE = """
import sys
from decimal import Decimal
import django
django.setup()
from workshop.catalogue.models import Product
product = Product.objects.get(pk=int(sys.argv[1]))
product.price = Decimal(sys.argv[2])
product.save()  # as the admin saves it: the versions are bumped once it commits
"""


@contextlib.contextmanager
def replicas_lagging(stack):
    """Both replicas stop applying the primary's writes for the block, and catch up after."""
    for name in REPLICAS:
        assert replica_wait_caught_up(stack, name), f"{name} lags before the test"
    try:
        for name in REPLICAS:
            replica_sql_thread_stop(stack, name)
        yield
    finally:
        for name in REPLICAS:
            replica_sql_thread_start(stack, name)
        for name in REPLICAS:
            assert replica_wait_caught_up(stack, name, timeout=30), f"{name} did not catch up"


def price_change(stack, pk: int, price: Decimal) -> None:
    """The price changed through the app's code on the primary, as an edit in the admin."""
    env = stack.stage.env(**stack.env())
    done = subprocess.run(
        [sys.executable, "-c", PRICE_CHANGE, str(pk), str(price)],
        cwd=stack.stage.path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]


def a_product(stack) -> dict:
    with stack.kind_of("db").connect() as db:
        cursor = db.cursor()
        cursor.execute(
            "SELECT id, slug, price FROM catalogue_product WHERE stock > 0 ORDER BY id DESC "
            "LIMIT 1 OFFSET 3"
        )
        pk, slug, price = cursor.fetchone()
    return {"id": pk, "slug": slug, "price": Decimal(price)}


def shown(price: Decimal) -> str:
    from django.contrib.humanize.templatetags.humanize import intcomma

    return f"£{intcomma(price)}"


def cache_entries_under(stack, version: str) -> list:
    """Every entry in memcached stored with ``version`` among its versions: (key, value)."""
    from pymemcache.client.base import Client
    from pymemcache.serde import pickle_serde

    client = Client(("127.0.0.1", stack.ports["cache"]), timeout=5, serde=pickle_serde)
    found = []
    try:
        for key in memcached_keys(stack.ports["cache"]):
            value = client.get(key)
            if isinstance(value, tuple) and len(value) == 2 and version in (value[0] or ()):
                found.append((key, value[1]))
    finally:
        client.close()
    return found


def version_of(stack, name: str) -> str:
    from pymemcache.client.base import Client
    from pymemcache.serde import pickle_serde

    key = ":1:version:" + hashlib.sha256(name.encode()).hexdigest()[:32]
    client = Client(("127.0.0.1", stack.ports["cache"]), timeout=5, serde=pickle_serde)
    try:
        return client.get(key)
    finally:
        client.close()


def test_a_price_changed_while_the_replicas_lag_shows_and_is_cached_only_new(stack, capsys):
    product = a_product(stack)
    page = f"/p/{product['slug']}/"
    # A price of this run's own, with replication running, as the positive control.
    old = product["price"] + Decimal("1.01")
    new = old + Decimal("111.11")
    price_change(stack, product["id"], old)
    for name in REPLICAS:
        assert replica_wait_caught_up(stack, name), f"{name} lags"
    customer = Browser(stack.url)
    customer.register(f"lag-{uuid.uuid4().hex[:8]}")  # a session: past the page files
    time.sleep(6)  # the pin of the registration runs out
    for visitor in (Browser(stack.url), customer):  # cached under the old version
        assert shown(old) in visitor.get(page).text

    with replicas_lagging(stack):
        price_change(stack, product["id"], new)
        time.sleep(LATER)
        seen = [Browser(stack.url).get(page).text for _ in range(6)]
        seen += [customer.get(page).text for _ in range(6)]
        stack_status_print(stack)
        status = capsys.readouterr().out

    assert all(shown(new) in text for text in seen), (
        f"{sum(shown(old) in text for text in seen)} of {len(seen)} product pages showed "
        f"the old price {shown(old)} {LATER} s after it changed, with the replicas lagging"
    )
    version = version_of(stack, f"product:{product['slug']}")
    stale = []
    for key, value in cache_entries_under(stack, version):
        if isinstance(value, dict) and "product" in value:
            if value["product"].price != new:
                stale.append(key)
        elif shown(old) in str(value):
            stale.append(key)
    assert stale == [], f"cached under the new version with the old price: {stale}"
    for name in REPLICAS:
        # The replication part of the status, after the list of instances.
        line = [x for x in status.splitlines() if x.strip().startswith(name)][-1]
        assert "out of the rotation" in line, line


@pytest.mark.parametrize("protected", [False, True], ids=["protection-off", "protection-on"])
def test_the_load_s_stock_check_sees_a_stale_page_only_without_the_protection(
    stack, tmp_path, protected
):
    """The shoppers' stale-read check (workshop/load/shoppers.py, stock_check) on an app
    server of the stack's databases and memcached, with REPLICA_FRESHNESS off or on: a
    sale made while both replicas lag, then the product's page read by a visitor with no
    cookie. Without the GTID wait, the page is rebuilt from a replica and shows the stock
    from before the sale, which the check counts as a stale read; with it, none."""
    from workshop.load.shopmap import order_lines, page_title, stock_shown

    env = stack.stage.env(
        **stack.env(),
        REPLICA_FRESHNESS="1" if protected else "0",
        PAGE_FILES_DIR=str(tmp_path / "pages"),  # not nginx's: this server's pages are its own
    )
    server = AppServer("app-under-test", tmp_path / "app", env, stack.stage.path)
    try:
        server.wait_ready()
        with stack.kind_of("db").connect() as db:
            cursor = db.cursor()
            cursor.execute(
                "SELECT id, slug FROM catalogue_product WHERE stock BETWEEN 3 AND 9 "
                "ORDER BY id DESC LIMIT 1 OFFSET %s",
                [int(protected)],
            )
            pk, slug = cursor.fetchone()
        before = stock_shown(Browser(server.url).get(f"/p/{slug}/").text)
        assert before is not None and 0 < before < 10, f"the page said {before} in stock"
        buyer = Browser(server.url)
        buyer.register(f"stock-{uuid.uuid4().hex[:8]}")

        with replicas_lagging(stack):
            assert buyer.submit(f"/cart/add/{pk}/", {"quantity": "1"}).status_code == 302
            placed = buyer.submit("/checkout/", {})
            assert placed.status_code == 302, placed.status_code
            sold = order_lines(buyer.get(placed.headers["Location"]).text)
            page = Browser(server.url).get(f"/p/{slug}/").text
        name = page_title(page)
        assert sold.get(name) == 1, f"the order holds {sold}, not one {name}"
        shown, at_most = stock_shown(page), before - 1
    finally:
        server.stop()

    stale = shown > at_most
    assert stale is (not protected), (
        f"with REPLICA_FRESHNESS={'on' if protected else 'off'}, the page after the sale "
        f"showed {shown} in stock where at most {at_most} were left"
    )
