"""Defects of the replicas' connections found after the lesson was written (issue 21), not
steps of the exercise: the replica aliases keep their connections from one request to the
next as the primary's does (stage 03), with a health check; a replica that answers with
"too many connections" or "host blocked", or that takes a query and goes silent, is failed
over like a refused one; and a dead replica is remembered by each process too, so that a
worker skips it while memcached, where the marks are shared, is away."""

import json

import pytest

from .test_replica_settings import PRIMARY, REPLICAS, mysqlclient  # noqa: F401

CONNECTION_JSON = """
import json
import django
django.setup()
from django.conf import settings
from django.db import connections
print(json.dumps({
    alias: {
        "CONN_MAX_AGE": db.get("CONN_MAX_AGE"),
        "CONN_HEALTH_CHECKS": db.get("CONN_HEALTH_CHECKS"),
        "params": {
            key: value for key, value in connections[alias].get_connection_params().items()
            if key.endswith("timeout")
        },
    }
    for alias, db in settings.DATABASES.items()
}))
"""


def connection_settings(shop_start, **environment) -> dict:
    started = shop_start(CONNECTION_JSON, **environment)
    assert started.returncode == 0, started.stderr[-2000:]
    return json.loads(started.stdout.strip().splitlines()[-1])


def test_the_replica_aliases_keep_their_connections_as_the_primary_does(shop_start, mysqlclient):  # noqa: F811
    found = connection_settings(
        shop_start, DATABASE_URL=PRIMARY, DATABASE_REPLICA_URLS=REPLICAS, DB_CONN_MAX_AGE="45"
    )

    assert found["default"]["CONN_MAX_AGE"] == 45 and found["default"]["CONN_HEALTH_CHECKS"]
    for alias in ("replica1", "replica2"):
        assert found[alias]["CONN_MAX_AGE"] == 45, (
            f"{alias} reconnects on every request: CONN_MAX_AGE {found[alias]['CONN_MAX_AGE']}"
        )
        assert found[alias]["CONN_HEALTH_CHECKS"] is True, f"{alias}: no health check"


def test_a_replica_connection_has_a_connect_and_a_read_timeout(shop_start, mysqlclient):  # noqa: F811
    found = connection_settings(shop_start, DATABASE_URL=PRIMARY, DATABASE_REPLICA_URLS=REPLICAS)

    for alias in ("replica1", "replica2"):
        params = found[alias]["params"]
        assert params.get("connect_timeout"), f"{alias}: no connect timeout ({params})"
        assert params.get("read_timeout"), (
            f"{alias}: no read timeout ({params}): a replica that goes silent hangs a worker"
        )


# The failover backend on a real MariaDB (tests/conftest.py: replica_connection, proxies).

COUNT_PRODUCTS = "SELECT COUNT(*) FROM catalogue_product"
TOO_MANY_CONNECTIONS, HOST_BLOCKED, TOO_MANY_USER_CONNECTIONS = 1040, 1129, 1203


def read(connection):
    with connection.cursor() as cursor:
        cursor.execute(COUNT_PRODUCTS)
        return cursor.fetchone()[0]


class RefusingServer:
    """A MariaDB that takes the connection and answers its greeting with an error packet,
    as a server at max_connections (1040) or one that blocked this host (1129) does."""

    def __init__(self, code: int, message: str):
        import socket
        import struct
        import threading

        payload = b"\xff" + struct.pack("<H", code) + message.encode()
        self.packet = struct.pack("<I", len(payload))[:3] + b"\x00" + payload
        self.accepted = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.accepted += 1
            try:
                client.sendall(self.packet)
            finally:
                client.close()

    def close(self):
        self.listener.close()


@pytest.fixture
def refusing_server():
    made = []

    def make(code, message):
        made.append(RefusingServer(code, message))
        return made[-1]

    yield make
    for server in made:
        server.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("code", "message"),
    [
        (TOO_MANY_CONNECTIONS, "Too many connections"),
        (HOST_BLOCKED, "Host '127.0.0.1' is blocked because of many connection errors"),
        (TOO_MANY_USER_CONNECTIONS, "User shop already has more than 'max_user_connections'"),
    ],
    ids=["1040-too-many-connections", "1129-host-blocked", "1203-max-user-connections"],
)
def test_a_replica_that_answers_with_a_refusal_is_failed_over(
    replica_connection, proxies, refusing_server, primary_address, code, message, replicas_part
):
    from django.core.cache import cache

    health = replicas_part("health")
    refusing, live = refusing_server(code, message), proxies().start()
    connection = replica_connection(
        [("replica1", refusing.address), ("replica2", live.address), ("primary", primary_address)]
    )

    assert read(connection) == 0
    assert refusing.accepted == 1, "the refusing replica was not even asked"
    assert connection.server == "replica2"
    assert cache.get(health.dead_key("replica1")) is not None, "no dead mark for it"


@pytest.mark.django_db(transaction=True)
def test_a_refused_connection_is_failed_over(
    replica_connection, proxies, closed_port, primary_address
):
    live = proxies().start()
    connection = replica_connection(
        [("replica1", closed_port()), ("replica2", live.address), ("primary", primary_address)]
    )

    assert read(connection) == 0 and connection.server == "replica2"


class FreezingProxy:
    """Forwards to the test database until freeze(): from then on it keeps every
    connection open and passes nothing on, as a replica that hangs under a query."""

    def __init__(self, proxy):
        import threading

        self.proxy, self.frozen, self.never = proxy, threading.Event(), threading.Event()
        pipe = proxy._pipe

        def pipe_until_frozen(source, sink):
            def send(data, _sendall=sink.sendall):
                if self.frozen.is_set():
                    self.never.wait(600)  # it never answers; the socket stays open
                return _sendall(data)

            class Sink:
                def __getattr__(self, name):
                    return getattr(sink, name)

                sendall = staticmethod(send)

            return pipe(source, Sink())

        proxy._pipe = pipe_until_frozen

    def freeze(self):
        self.frozen.set()


@pytest.mark.django_db(transaction=True)
def test_a_replica_that_goes_silent_under_a_read_is_failed_over_after_the_read_timeout(
    replica_connection, proxies, primary_address, settings
):
    import time

    settings.REPLICA_READ_TIMEOUT = 1
    frozen = proxies()
    silent, live = FreezingProxy(frozen), proxies().start()
    frozen.start()
    connection = replica_connection(
        [("replica1", frozen.address), ("replica2", live.address), ("primary", primary_address)]
    )
    assert read(connection) == 0 and connection.server == "replica1"

    silent.freeze()
    started = time.monotonic()
    assert read(connection) == 0
    took = time.monotonic() - started

    assert connection.server == "replica2", "the read did not go elsewhere"
    assert took < 10, f"the read waited {took:.1f} s for a silent replica"


class CacheAway:
    """The shared cache while memcached is away, as the app's client sees it then: every
    question a miss, nothing stored, a counter lost."""

    def get(self, key, default=None):
        return default

    def get_many(self, keys):
        return {}

    def add(self, *args, **kwargs):
        return False

    def set(self, *args, **kwargs):
        pass

    def delete(self, *args, **kwargs):
        pass

    def incr(self, key, delta=1):
        raise ValueError(f"Key '{key}' not found.")


@pytest.mark.django_db(transaction=True)
def test_with_memcached_away_a_dead_replica_is_tried_once_per_process_per_downtime(
    replica_connection, proxies, refusing_server, primary_address, replicas_part, monkeypatch,
    settings,
):  # fmt: skip
    import time

    health = replicas_part("health")
    monkeypatch.setattr(health, "cache", CacheAway())
    settings.REPLICA_DOWNTIME_SECONDS = 2
    dead, live = refusing_server(TOO_MANY_CONNECTIONS, "Too many connections"), proxies().start()
    servers = [("replica1", dead.address), ("replica2", live.address), ("primary", primary_address)]

    for _ in range(5):  # five requests of one worker, each with a connection of its own
        connection = replica_connection(servers)
        assert read(connection) == 0 and connection.server == "replica2"
        connection.close()
    assert dead.accepted == 1, f"the dead replica was tried {dead.accepted} times, not once"

    time.sleep(2.2)  # its downtime is over: this process tries it once more
    for _ in range(5):
        connection = replica_connection(servers)
        assert read(connection) == 0 and connection.server == "replica2"
        connection.close()
    assert dead.accepted == 2, f"tried {dead.accepted} times in two downtimes"


@pytest.mark.django_db(transaction=True)
def test_the_check_at_start_leaves_no_connection_for_the_forked_workers(
    mariadb, shop_start, database_url
):
    """gunicorn forks its workers from the process that ran the check (preload_app): a
    connection left open there would be one socket shared by every worker, whose queries
    and answers mix (500s under load: "InterfaceError (0, '')", rows of another query)."""
    started = shop_start(
        "import shop.wsgi\n"
        "from django.db import connections\n"
        "print([alias for alias in connections if connections[alias].connection])",
        DATABASE_URL=database_url,
        DATABASE_REPLICA_URLS=f"{database_url},{database_url}",
    )

    assert started.returncode == 0, started.stderr[-2000:]
    assert started.stdout.strip().splitlines()[-1] == "[]", started.stdout


@pytest.mark.django_db(transaction=True)
def test_a_kept_connection_that_failed_over_goes_back_once_its_replica_may_be_live(
    replica_connection, proxies, primary_address, settings
):
    """With kept connections, an alias that failed over to the next replica would stay
    there for CONN_MAX_AGE, and a revived replica would get no reads: before a request
    reuses it, the connection is given up once its own replica's downtime is over."""
    import time

    settings.REPLICA_DOWNTIME_SECONDS = 2
    replica1, replica2 = proxies(), proxies().start()  # replica1 not started: refused
    servers = [
        ("replica1", replica1.address),
        ("replica2", replica2.address),
        ("primary", primary_address),
    ]
    kept = replica_connection(servers)
    kept.ensure_connection()
    assert kept.server == "replica2"
    assert kept.is_usable(), "given up inside its replica's downtime"

    replica1.start()
    time.sleep(2.2)

    assert not kept.is_usable(), "kept on replica2 after replica1's downtime"
    kept.close()
    kept.ensure_connection()
    assert kept.server == "replica1"
