"""Counting database statements per request with MariaDB's status counters."""

import os

import pytest

from workshop.bench.db import (
    StatementCounter,
    counters_spent,
    mysql_connect_args,
    statement_counter_for,
)
from workshop.bench.runner import Target, _counted, _server_rows
from workshop.testing.services import require


def test_a_stack_database_url_gives_the_servers_connection_arguments():
    args = mysql_connect_args("mysql://root:p%40ss@127.0.0.1:18121/shop")

    assert args == {"host": "127.0.0.1", "port": 18121, "user": "root", "passwd": "p@ss"}


def test_other_databases_are_not_counted_and_say_why():
    counter, note = statement_counter_for("sqlite:////tmp/shop.sqlite3")

    assert counter is None
    assert "not MariaDB" in note


def test_the_second_reading_does_not_count_itself():
    before, after = {"Questions": 100, "Com_select": 40}, {"Questions": 108, "Com_select": 43}

    spent = counters_spent(before, after)

    assert spent == {"Questions": 7, "Com_select": 3}


@pytest.mark.mariadb
def test_two_readings_in_a_row_count_no_statement_and_a_query_counts_one():
    url = os.environ.get("DATABASE_URL", "")
    if not mysql_connect_args(url or "sqlite://"):
        require("needs MariaDB (apt-get install mariadb-server), then DATABASE_URL=mysql://…")
    counter = StatementCounter(url)
    try:
        first = counter.read()
        second = counter.read()
        with counter.connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        third = counter.read()
    finally:
        counter.close()

    assert counters_spent(first, second) == {"Questions": 0, "Com_select": 0}
    assert counters_spent(second, third) == {"Questions": 1, "Com_select": 1}


class LostConnection:
    def read(self):
        raise OSError("(2013, 'Lost connection to server during query')")


def test_a_lost_connection_costs_the_run_its_statement_counts_only():
    target = Target("http://127.0.0.1:1", service_pids=lambda: {})
    before = {"services": {}, "machine": 0.0, "db": {"Questions": 1, "Com_select": 0}}
    lost = _counted(target, LostConnection().read, "database statements")
    after = {"services": {}, "machine": 0.0, "db": lost}

    rows = _server_rows(0.5, before, after, wall=1.0, requests=100)

    assert "Lost connection" in target.notes[0]
    assert {row["metric"] for row in rows} == {"machine_busy", "cpu_ms_per_request"}
