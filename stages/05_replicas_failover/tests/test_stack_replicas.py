"""Step 4 on the real topology: through nginx, three app servers, memcached, a MariaDB
primary and two replicas that copy it by GTID replication. The reads spread over the
replicas and the writes reach only the primary; a replica killed (kill -9) under load
costs no request, is marked dead in memcached and said in the log; with both dead, the
primary serves every page; revived, a replica serves reads again after its downtime; and
with a replica's SQL thread stopped (it lags), a customer still sees their order at once.

    WORKSHOP_STACK_TESTS=1 workshop test 05
"""

import os
import threading
import time
import uuid

import pytest

from workshop.stack.databases import (
    replica_sql_thread_start,
    replica_sql_thread_stop,
    replica_wait_caught_up,
    statement_counts,
)
from workshop.stack.instances import instance_kill, instance_pid, instance_start
from workshop.testing.browser import Browser
from workshop.testing.memcached import memcached_keys

pytestmark = pytest.mark.stack

# The app servers read it when the stack starts (stack.up() passes the environment on):
# a dead replica is tried again after 3 s rather than 30, so the tests need not wait.
DOWNTIME = 3
os.environ.setdefault("REPLICA_DOWNTIME_SECONDS", str(DOWNTIME))
REPLICAS = ("replica1", "replica2")


@pytest.fixture
def replicas_restored(stack):
    """Whatever a test kills or stops, every replica runs and replicates after it, and
    its dead mark has run out, for the tests that follow on the shared stack."""
    yield
    for name in REPLICAS:
        if instance_pid(stack, name) is None:
            instance_start(stack, name)
        replica_sql_thread_start(stack, name)
        assert replica_wait_caught_up(stack, name, timeout=30), f"{name} did not catch up"
    time.sleep(DOWNTIME + 0.5)


def cache_flush(stack) -> None:
    """Empty memcached: the pages' data is read from the databases again."""
    from pymemcache.client.base import Client

    client = Client(("127.0.0.1", stack.ports["cache"]), timeout=5)
    client.flush_all(noreply=False)
    client.close()


def products(stack, count: int, *, offset: int = 0) -> list[dict]:
    with stack.kind_of("db").connect() as db:
        cursor = db.cursor()
        cursor.execute(
            "SELECT id, slug FROM catalogue_product WHERE stock > 0 ORDER BY id LIMIT %s OFFSET %s",
            [count, offset],
        )
        return [{"id": pk, "slug": slug} for pk, slug in cursor.fetchall()]


class AppLogs:
    """What the app servers write to their logs from now on."""

    def __init__(self, stack):
        apps = stack.apps()
        self.sizes = {app.output_log: app.output_log.stat().st_size for app in apps}

    def say(self, text: str, timeout: float = 5) -> bool:
        """Whether ``text`` appears in the logs within ``timeout`` (supervisord writes
        what the servers print a moment later)."""
        deadline = time.monotonic() + timeout
        while text not in self.since():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def since(self) -> str:
        text = ""
        for log, size in self.sizes.items():
            with log.open("rb") as file:
                file.seek(size)
                text += file.read().decode(errors="replace")
        return text


def get_all(stack, paths: list[str], *, threads: int = 4, during=None) -> list[str]:
    """GET every path through nginx, ``threads`` visitors at once; ``during()`` runs once
    a tenth of them are done. The failures: anything but a 200, and every error."""
    failures, done, started = [], [], threading.Event()

    def visit(part):
        browser = Browser(stack.url)
        for path in part:
            try:
                response = browser.get(path, timeout=30)
                if response.status_code != 200:
                    failures.append(f"{path}: HTTP {response.status_code}")
            except Exception as error:  # a reset connection, a timeout: all count
                failures.append(f"{path}: {error!r}")
            done.append(path)
            if len(done) >= len(paths) // 10:
                started.set()

    workers = [threading.Thread(target=visit, args=(paths[n::threads],)) for n in range(threads)]
    for worker in workers:
        worker.start()
    if during is not None:
        started.wait(timeout=60)
        during()
    for worker in workers:
        worker.join(timeout=300)
    assert len(done) == len(paths), "some visitors never finished"
    return failures


def user_statistics(stack, user: str = "shop") -> dict[str, dict[str, int]]:
    """Per server, what the app's account ran there (MariaDB's userstat): SELECTs and
    commands that change data. Replication applies the primary's writes as no user."""
    stats = {}
    for name in ("db", *REPLICAS):
        with stack.kind_of(name).connect(database=None) as connection:
            cursor = connection.cursor()
            cursor.execute("SET GLOBAL userstat = 1")
            cursor.execute(
                "SELECT SELECT_COMMANDS, UPDATE_COMMANDS, ROWS_INSERTED + ROWS_UPDATED + "
                "ROWS_DELETED FROM information_schema.USER_STATISTICS WHERE USER = %s",
                [user],
            )
            row = cursor.fetchone() or (0, 0, 0)
            stats[name] = dict(zip(("selects", "writes", "rows"), map(int, row), strict=True))
    return stats


def test_reads_spread_over_the_replicas_and_skip_the_primary(stack):
    cache_flush(stack)  # every page's data is read again
    run = uuid.uuid4().hex[:8]
    paths = [f"/p/{p['slug']}/?spread={run}" for p in products(stack, 1000)]
    before = statement_counts(stack)

    assert get_all(stack, paths) == []

    after = statement_counts(stack)
    selects = {name: after[name]["Com_select"] - before[name]["Com_select"] for name in after}
    on_replicas = selects["replica1"] + selects["replica2"]
    assert on_replicas >= len(paths), f"the replicas ran {selects}: too few for 1,000 pages"
    for name in REPLICAS:
        share = selects[name] / (on_replicas / 2)
        assert 0.9 <= share <= 1.1, f"SELECTs per server {selects}: not an even spread"
    assert selects["db"] <= on_replicas / 100, f"the primary served reads: {selects}"


def test_writes_reach_only_the_primary_and_a_write_sent_to_a_replica_fails(stack):
    import MySQLdb

    before = user_statistics(stack)
    customer = Browser(stack.url)
    customer.register(f"writer-{uuid.uuid4().hex[:8]}")
    product = products(stack, 1, offset=2000)[0]
    added = customer.submit(f"/cart/add/{product['id']}/", {"quantity": "1"})
    placed = customer.submit("/checkout/", {})
    after = user_statistics(stack)

    assert added.status_code == 302 and placed.status_code == 302
    assert after["db"]["writes"] > before["db"]["writes"], "no write reached the primary"
    for name in REPLICAS:
        assert after[name]["writes"] == before[name]["writes"], f"the app wrote on {name}"
        assert after[name]["rows"] == before[name]["rows"]
    # The app's account on a replica: read_only refuses its write, loudly.
    replica = MySQLdb.connect(**stack_url_params(stack.env()["DATABASE_REPLICA_URLS"]))
    with pytest.raises(MySQLdb.OperationalError) as refused:
        replica.cursor().execute("UPDATE catalogue_product SET stock = stock + 1 LIMIT 1")
    replica.close()
    assert refused.value.args[0] == 1290, refused.value  # running with --read-only


def stack_url_params(urls: str) -> dict:
    from urllib.parse import unquote, urlsplit

    url = urlsplit(urls.split(",")[0])
    return {
        "host": url.hostname, "port": url.port, "user": unquote(url.username),
        "password": unquote(url.password or ""), "database": url.path.lstrip("/"),
    }  # fmt: skip


def test_a_replica_killed_under_load_costs_no_request(stack, replicas_restored):
    cache_flush(stack)
    run = uuid.uuid4().hex[:8]
    paths = [f"/p/{p['slug']}/?drill={run}" for p in products(stack, 400, offset=1000)]
    logs = AppLogs(stack)

    failures = get_all(stack, paths, during=lambda: instance_kill(stack, "replica1"))

    assert failures == [], f"{len(failures)} failed requests: {failures[:3]}"
    assert any(
        key.endswith("replicas:dead:replica1") for key in memcached_keys(stack.ports["cache"])
    )
    assert logs.say("replica replica1 (127.0.0.1"), "no dead mark in the app's log"
    assert "is dead" in logs.since() and "Traceback" not in logs.since(), logs.since()[-3000:]


def test_with_every_replica_dead_every_page_works_from_the_primary(
    stack, stack_product, replicas_restored
):
    for name in REPLICAS:
        instance_kill(stack, name)
    cache_flush(stack)
    logs = AppLogs(stack)
    customer = Browser(stack.url)
    customer.register(f"alone-{uuid.uuid4().hex[:8]}")
    pages = [
        "/", f"/c/{stack_product['category']}/", f"/c/{stack_product['category']}/?sort=price",
        f"/p/{stack_product['slug']}/", "/search/?q=kaito", "/cart/", "/orders/",
    ]  # fmt: skip

    for path in pages:
        # A visitor first (their reads go to a replica alias), then the customer, whose
        # every read goes to the primary since they registered (pinned).
        if path not in ("/cart/", "/orders/"):
            assert Browser(stack.url).get(path).status_code == 200, f"{path}, anonymous"
        assert customer.get(path).status_code == 200, f"{path}, logged in"
    added = customer.submit(f"/cart/add/{stack_product['id']}/", {"quantity": "1"})

    assert added.status_code == 302
    assert logs.say("every replica is dead"), "the log does not say so"


def test_a_revived_replica_serves_reads_again_after_its_downtime(stack, replicas_restored):
    instance_kill(stack, "replica2")
    cache_flush(stack)
    logs = AppLogs(stack)
    run = uuid.uuid4().hex[:8]
    pages = [f"/p/{p['slug']}/?revive={run}" for p in products(stack, 300, offset=3000)]
    assert get_all(stack, pages[:50]) == []

    instance_start(stack, "replica2")
    assert replica_wait_caught_up(stack, "replica2", timeout=30)
    time.sleep(DOWNTIME + 0.5)
    before = statement_counts(stack)["replica2"]["Com_select"]
    assert get_all(stack, pages[50:]) == []

    served = statement_counts(stack)["replica2"]["Com_select"] - before
    assert served >= 100, f"replica2 ran {served} SELECTs for 250 pages once revived"
    assert logs.say("replica replica2 is back")


def test_a_customer_sees_their_order_at_once_while_the_replicas_lag(stack, replicas_restored):
    product = products(stack, 1, offset=4000)[0]
    with stack.kind_of("db").connect() as db:
        db.cursor().execute("UPDATE catalogue_product SET stock = 5 WHERE id = %s", [product["id"]])
        db.commit()
    for name in REPLICAS:
        assert replica_wait_caught_up(stack, name)
        replica_sql_thread_stop(stack, name)  # from now on, both miss every write
    customer = Browser(stack.url)
    customer.register(f"lagged-{uuid.uuid4().hex[:8]}")
    customer.submit(f"/cart/add/{product['id']}/", {"quantity": "1"})

    placed = customer.submit("/checkout/", {})
    orders = customer.get("/orders/")
    page = customer.get(f"/p/{product['slug']}/?lag={uuid.uuid4().hex[:8]}")

    assert placed.status_code == 302
    order_id = placed.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert orders.status_code == 200 and f"/orders/{order_id}/" in orders.text, (
        "the new order is missing from My orders"
    )
    assert "only 4 left" in page.text, (
        "the customer who just bought one read the stock from a lagging replica"
    )
