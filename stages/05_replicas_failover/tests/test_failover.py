"""The replicas' database backend (replicas/backend/) on a real MariaDB: a dead replica is
marked in the cache, logged and counted once, and passed over; with every replica dead
the primary answers; after the downtime one request tries the replica again; a read that
loses its replica mid-query is sent once to another, a write or a transaction never.

A dead replica here is a port where nothing listens (a real refused connection); a live
one is a small proxy in front of the test database (tests/conftest.py: TcpProxy), which
can also cut its connections, as a replica killed under a query does."""

import logging
import socket
import threading
import time

import pytest
from django.core.cache import cache
from django.db import connections, transaction
from django.db.utils import OperationalError

pytestmark = pytest.mark.django_db(transaction=True)

COUNT_PRODUCTS = "SELECT COUNT(*) FROM catalogue_product"


@pytest.fixture
def health(replicas_part):
    return replicas_part("health")


@pytest.fixture
def replica_log(caplog):
    """The lines the replicas' logger wrote."""
    caplog.set_level(logging.INFO, logger="replicas")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "replicas"]


def shared(connections_made):
    """Connections that a thread each connects, and this thread closes."""
    for connection in connections_made:
        connection.inc_thread_sharing()
    return connections_made


def read(connection):
    with connection.cursor() as cursor:
        cursor.execute(COUNT_PRODUCTS)
        return cursor.fetchone()[0]


def test_a_dead_replica_is_marked_in_the_cache_and_the_next_one_answers(
    replica_connection, proxies, closed_port, primary_address, health, replica_log
):
    dead, live = closed_port(), proxies().start()
    connection = replica_connection(
        [("replica1", dead), ("replica2", live.address), ("primary", primary_address)]
    )

    assert read(connection) == 0
    assert connection.server == "replica2"
    assert live.accepted == 1
    assert cache.get(health.dead_key("replica1")) is not None, "no dead mark in the cache"
    assert cache.get(health.dead_key("replica2")) is None
    lines = replica_log()
    assert len(lines) == 1 and "replica1" in lines[0], lines
    assert health.replica_deaths("replica1") == 1


def test_a_replica_that_does_not_answer_costs_one_connect_timeout_then_none(
    replica_connection, proxies, primary_address, settings, silent_address
):
    """A replica that takes the connection and says nothing: the connect timeout (1 s)
    is paid once; while it is marked, no connection tries it again."""
    settings.REPLICA_CONNECT_TIMEOUT = 1
    live = proxies().start()
    servers = [
        ("replica1", silent_address),
        ("replica2", live.address),
        ("primary", primary_address),
    ]

    started = time.monotonic()
    read(replica_connection(servers))
    first = time.monotonic() - started
    started = time.monotonic()
    read(replica_connection(servers))
    second = time.monotonic() - started

    assert 0.9 < first < 5, f"the first connection took {first:.2f} s: a connect timeout?"
    assert second < 0.5, f"the second took {second:.2f} s: it tried the marked replica again"


@pytest.fixture
def silent_address():
    """A port that takes connections and never says a word (a hung server)."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=16)
    yield f"127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def test_a_death_is_logged_and_counted_once_when_many_workers_find_it_at_once(
    replica_connection, proxies, closed_port, primary_address, health, replica_log
):
    dead, live = closed_port(), proxies().start()
    servers = [("replica1", dead), ("replica2", live.address), ("primary", primary_address)]
    workers = shared([replica_connection(servers) for _ in range(8)])
    start, landed = threading.Barrier(len(workers)), []

    def connect(connection):
        start.wait()
        connection.ensure_connection()
        landed.append(connection.server)

    threads = [threading.Thread(target=connect, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert landed == ["replica2"] * len(workers)
    assert health.replica_deaths("replica1") == 1
    assert len([line for line in replica_log() if "replica1" in line]) == 1, replica_log()


def test_with_every_replica_dead_the_primary_answers_and_the_log_says_so(
    replica_connection, closed_port, primary_address, health, replica_log
):
    servers = [("replica1", closed_port()), ("replica2", closed_port())]
    connection = replica_connection([*servers, ("primary", primary_address)])

    assert read(connection) == 0
    assert connection.server == "primary"
    assert health.replica_deaths() == 2
    assert any("every replica is dead" in line for line in replica_log()), replica_log()


def test_a_revived_replica_rejoins_after_the_downtime_tried_by_one_request(
    replica_connection, proxies, primary_address, health, settings, replica_log
):
    # Two seconds: memcached counts expiry in whole seconds, so a one-second mark (and the
    # try's claim, which lasts as long) could end at any moment within its first second.
    settings.REPLICA_DOWNTIME_SECONDS = 2
    replica1, replica2 = proxies(), proxies().start()
    servers = [("replica1", replica1.address), ("replica2", replica2.address)]
    servers.append(("primary", primary_address))
    assert replica_connection(servers).ensure_connection() or True
    assert cache.get(health.dead_key("replica1")) is not None

    replica1.start()  # revived, but still inside its downtime
    connection = replica_connection(servers)
    connection.ensure_connection()
    assert connection.server == "replica2", "a marked replica was tried inside its downtime"
    assert replica1.accepted == 0

    time.sleep(2.2)
    # The try after the downtime waits at replica1's door while the other workers decide,
    # however the threads happen to be scheduled: none of them may try it meanwhile.
    replica1.hold()
    workers = shared([replica_connection(servers) for _ in range(6)])
    start, landed = threading.Barrier(len(workers)), []

    def connect(worker):
        start.wait()
        worker.ensure_connection()
        landed.append(worker.server)

    threads = [threading.Thread(target=connect, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 0.5  # well inside the backend's 1 s connect timeout
    while len(landed) < len(workers) - 1 or replica1.accepted < 1:
        if time.monotonic() > deadline:
            break
        time.sleep(0.01)
    tried_meanwhile = replica1.accepted
    replica1.release()
    for thread in threads:
        thread.join(timeout=30)

    assert tried_meanwhile == 1, f"{tried_meanwhile} connections tried it again, not one"
    assert len(landed) == len(workers) and "replica1" in landed, landed
    assert cache.get(health.dead_key("replica1")) is None, "the revived replica is still marked"
    assert any("back" in line for line in replica_log()), replica_log()
    after = replica_connection(servers)
    after.ensure_connection()
    assert after.server == "replica1"


def test_a_read_that_loses_its_replica_is_sent_once_to_another(
    replica_connection, proxies, primary_address, replica_log
):
    replica1, replica2 = proxies().start(), proxies().start()
    connection = replica_connection(
        [
            ("replica1", replica1.address),
            ("replica2", replica2.address),
            ("primary", primary_address),
        ]
    )
    assert read(connection) == 0 and connection.server == "replica1"

    replica1.cut()  # the replica dies under the connection, between two queries
    assert read(connection) == 0

    assert connection.server == "replica2"
    assert replica2.accepted == 1
    assert any("lost" in line for line in replica_log()), replica_log()


def test_a_write_that_loses_its_replica_is_never_sent_again(
    replica_connection, proxies, primary_address
):
    replica1, replica2 = proxies().start(), proxies().start()
    connection = replica_connection(
        [
            ("replica1", replica1.address),
            ("replica2", replica2.address),
            ("primary", primary_address),
        ]
    )
    read(connection)

    replica1.cut()
    with pytest.raises(OperationalError), connection.cursor() as cursor:
        cursor.execute("UPDATE catalogue_product SET stock = stock WHERE id = 0")

    assert replica2.accepted == 0, "a write was sent again"


def test_a_read_inside_a_transaction_is_never_sent_again(
    replica_connection, proxies, primary_address
):
    replica1, replica2 = proxies().start(), proxies().start()
    connection = replica_connection(
        [
            ("replica1", replica1.address),
            ("replica2", replica2.address),
            ("primary", primary_address),
        ]
    )
    connections[connection.alias] = connection  # so that transaction.atomic() finds it
    try:
        with pytest.raises(OperationalError), transaction.atomic(using=connection.alias):
            read(connection)
            replica1.cut()
            read(connection)
    finally:
        del connections[connection.alias]

    assert replica2.accepted == 0, "a read inside a transaction was sent again"


def test_an_unreachable_replica_at_start_is_said_in_one_line_and_the_shop_starts(
    shop_start, database_url, closed_port, primary_address
):
    dead = database_url.replace(primary_address, closed_port())
    started = shop_start(
        "import shop.wsgi; print('started')",
        DATABASE_URL=database_url,
        DATABASE_REPLICA_URLS=f"{dead},{database_url}",
    )

    assert started.returncode == 0 and "started" in started.stdout, started.stderr[-2000:]
    assert "Traceback" not in started.stderr, started.stderr[-2000:]
    lines = started.stderr.strip().splitlines()
    assert len(lines) == 1 and "replica1" in lines[0], lines
