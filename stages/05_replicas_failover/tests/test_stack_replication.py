"""Stage 05's topology on real servers: a MariaDB primary and two replicas that copy it
by GTID replication. What the app writes reaches every replica; a replica refuses the
app's account any write (read_only), so a misrouted write fails loudly; a replica killed
with -9 replicates again once started; `workshop status` shows each replica's threads
and lag. The tests look at the servers as root over their sockets, and as the app's
account over TCP, with the URLs the app servers are given.

    WORKSHOP_STACK_TESTS=1 workshop test 05
"""

import uuid
from urllib.parse import unquote, urlsplit

import pytest

from workshop.commands.stack import stack_status_print
from workshop.stack.databases import (
    replica_catch_up_seconds,
    replica_lag,
    replica_sql_thread_start,
    replica_sql_thread_stop,
    replica_wait_caught_up,
    replicas,
    statement_counts,
)

pytestmark = pytest.mark.stack

READ_ONLY_ERROR = 1290  # ER_OPTION_PREVENTS_STATEMENT: "running with the --read-only option"


def app_connect(url: str):
    """A connection as the app's account, to the server ``url`` names."""
    import MySQLdb

    parts = urlsplit(url)
    return MySQLdb.connect(
        host=parts.hostname,
        port=parts.port,
        user=unquote(parts.username),
        passwd=unquote(parts.password or ""),
        database=parts.path.lstrip("/"),
        autocommit=True,
    )


def rows(kind, query: str, args=None) -> tuple:
    with kind.connect() as connection:
        cursor = connection.cursor()
        cursor.execute(query, args)
        return cursor.fetchall()


@pytest.fixture(scope="module")
def probe_table(stack) -> str:
    """A table of the tests' own on the primary (and so, replicated, on the replicas)."""
    with stack.kind_of("db").connect() as connection:
        connection.cursor().execute(
            "CREATE TABLE IF NOT EXISTS replication_probe "
            "(id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(40) NOT NULL)"
        )
    for replica in replicas(stack):
        assert replica_wait_caught_up(stack, replica.name), f"{replica.name} lags"
    return "replication_probe"


@pytest.fixture
def urls(stack) -> dict[str, str]:
    """The URLs the app servers get: the primary's and each replica's, by instance."""
    env = stack.env()
    replica_urls = env["DATABASE_REPLICA_URLS"].split(",")
    return {
        "db": env["DATABASE_URL"],
        **dict(zip(["replica1", "replica2"], replica_urls, strict=True)),
    }


def test_the_app_servers_are_given_the_primary_and_both_replicas_as_a_non_root_account(stack, urls):
    ports = {name: urlsplit(url).port for name, url in urls.items()}
    accounts = {urlsplit(url).username for url in urls.values()}

    assert ports == {name: stack.ports[name] for name in ("db", "replica1", "replica2")}
    assert accounts == {"shop"}
    grants = {grant for (grant,) in rows(stack.kind_of("db"), "SHOW GRANTS FOR 'shop'@'%'")}
    assert any(g.startswith("GRANT USAGE ON *.* TO `shop`@`%`") for g in grants), grants
    assert "GRANT ALL PRIVILEGES ON `shop`.* TO `shop`@`%`" in grants and len(grants) == 2


def test_a_customer_registered_through_nginx_reaches_both_replicas(stack, browser):
    username = f"replicated-{uuid.uuid4().hex[:10]}"
    browser.register(username)
    query = "SELECT username FROM auth_user WHERE username = %s"

    assert rows(stack.kind_of("db"), query, [username]) == ((username,),)
    for replica in replicas(stack):
        assert replica_wait_caught_up(stack, replica.name), f"{replica.name} lags"
        assert rows(replica, query, [username]) == ((username,),), replica.name


def test_each_replica_is_read_only_and_refuses_the_app_accounts_write(stack, urls, probe_table):
    import MySQLdb

    insert = f"INSERT INTO {probe_table} (note) VALUES (%s)"
    with app_connect(urls["db"]) as primary:  # the positive control: the account may write
        primary.cursor().execute(insert, ["written on the primary"])
    for name in ("replica1", "replica2"):
        assert rows(stack.kind_of(name), "SELECT @@read_only") == ((1,),)
        with (
            app_connect(urls[name]) as connection,
            pytest.raises(MySQLdb.OperationalError) as error,
        ):
            connection.cursor().execute(insert, [f"misrouted to {name}"])
        assert error.value.args[0] == READ_ONLY_ERROR, error.value
    note = "SELECT COUNT(*) FROM replication_probe WHERE note LIKE 'misrouted%'"
    assert rows(stack.kind_of("db"), note) == ((0,),)


def test_a_replica_killed_with_kill_9_replicates_again_once_started(stack, probe_table):
    note = f"while replica1 was dead {uuid.uuid4().hex[:8]}"
    query = f"SELECT note FROM {probe_table} WHERE note = %s"
    try:
        pid = stack.instance_kill("replica1")
        assert replica_lag(stack, "replica1").status is None, f"pid {pid} still answers"
        with stack.kind_of("db").connect() as connection:
            connection.cursor().execute(f"INSERT INTO {probe_table} (note) VALUES (%s)", [note])
    finally:
        stack.instance_start("replica1")

    lag = replica_lag(stack, "replica1")
    assert lag.status.replicating, lag.line()
    assert replica_wait_caught_up(stack, "replica1"), replica_lag(stack, "replica1").line()
    assert rows(stack.kind_of("replica1"), query, [note]) == ((note,),)
    assert stack.supervisor.processes()["replica1"]["pid"] != pid


def status_lines(stack, capsys) -> dict[str, str]:
    """`workshop status`'s replication line of each replica, by name."""
    stack_status_print(stack)
    lines = [line.strip() for line in capsys.readouterr().out.splitlines()]
    lines = lines[lines.index(next(x for x in lines if x.startswith("replication"))) + 1 :]
    return {line.split()[0]: line for line in lines if line.startswith("replica")}


def test_status_shows_each_replicas_threads_and_how_far_it_lags(stack, probe_table, capsys):
    """With replica2's SQL thread stopped, three writes on the primary leave it three
    transactions behind, fetched but not applied; once started, it catches up."""
    try:
        replica_sql_thread_stop(stack, "replica2")
        with stack.kind_of("db").connect() as connection:
            for n in range(3):
                connection.cursor().execute(
                    f"INSERT INTO {probe_table} (note) VALUES (%s)", [f"lag {n}"]
                )
        assert replica_wait_caught_up(stack, "replica1")
        lagging = status_lines(stack, capsys)
        assert replica_catch_up_seconds(stack, "replica2", timeout=0.5) is None
    finally:
        replica_sql_thread_start(stack, "replica2")
    assert replica_wait_caught_up(stack, "replica2")
    caught_up = status_lines(stack, capsys)

    assert set(lagging) == set(caught_up) == {"replica1", "replica2"}
    assert "IO running    SQL running  lag 0 s, 0 transactions" in lagging["replica1"]
    assert "IO running    SQL stopped  lag ? s, 3 transactions" in lagging["replica2"]
    assert "IO running    SQL running  lag 0 s, 0 transactions" in caught_up["replica2"]


def test_each_server_counts_the_selects_it_runs(stack, urls):
    before = statement_counts(stack)
    with app_connect(urls["replica2"]) as connection:
        for _ in range(5):
            connection.cursor().execute("SELECT 1")
    after = statement_counts(stack)

    assert set(after) == {"db", "replica1", "replica2"}
    assert after["replica2"]["Com_select"] - before["replica2"]["Com_select"] >= 5
