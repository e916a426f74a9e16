"""Notebook 05's figures from stage 05's databases
(workshop/bench/experiments/replication.py) and its failover drill
(workshop/bench/experiments/failover.py): lag percentiles, SELECTs per second per
server, when a revived replica served again, what noticing a dead one may cost, the
backend's log lines. The drill itself runs in notebook 05, on the real stack."""

import dataclasses
import math
import os

import pandas as pd
import pytest

from workshop.bench.db import mysql_connect_args
from workshop.bench.experiments.failover import (
    EVENTS,
    FROZEN,
    FailoverDrill,
    log_counts,
    noticing_bound,
    rejoined_at,
)
from workshop.bench.experiments.replication import (
    lag_percentiles,
    selects_per_second,
    server_reading,
)
from workshop.bench.runner import server_select_rows
from workshop.testing.services import require


def samples(rows) -> pd.DataFrame:
    """(t, server, com_select, seconds_behind, behind) rows, as the sampler writes them;
    None where the server did not answer."""
    return pd.DataFrame(
        [
            {
                "t": t, "server": server, "role": "primary" if server == "db" else "replica",
                "com_select": selects, "questions": None, "seconds_behind": seconds,
                "behind": behind,
            }
            for t, server, selects, seconds, behind in rows
        ]
    )  # fmt: skip


def test_lag_percentiles_are_each_replicas_own_and_skip_samples_of_a_dead_one():
    # replica1: 0 transactions behind in 16 samples of 20, then 1, 2, 10 and 40.
    behind = [0] * 16 + [1, 2, 10, 40]
    rows = [(t, "replica1", 0, b // 10, b) for t, b in enumerate(behind)]
    rows += [(t, "replica2", 0, None, None) for t in range(10)]  # dead: no reading
    rows += [(t, "replica2", 0, 0, 0) for t in range(10, 20)]
    rows += [(t, "db", 0, None, None) for t in range(20)]

    table = lag_percentiles(samples(rows))

    assert list(table.index) == ["replica1", "replica2"]
    one = table.loc["replica1"]
    assert one["samples"] == 20
    assert one["transactions p50"] == 0
    assert one["transactions p95"] == pytest.approx(11.5)  # between 10 and 40, numpy's linear
    assert one["transactions max"] == 40
    assert one["seconds max"] == 4
    assert one["caught up (share)"] == pytest.approx(0.8)
    two = table.loc["replica2"]
    assert two["samples"] == 10 and two["transactions max"] == 0
    assert two["caught up (share)"] == 1.0


def test_selects_per_second_leave_out_a_dead_servers_gap_and_its_restart():
    rows = [
        (0.0, "replica1", 100, 0, 0), (0.5, "replica1", 110, 0, 0),  # 20/s
        (1.0, "replica1", 120, 0, 0), (1.5, "replica1", None, None, None),  # killed
        (2.0, "replica1", 5, 0, 0),  # restarted: counting from zero again
        (2.5, "replica1", 15, 0, 0),  # 20/s again
    ]  # fmt: skip
    rows += [(t, "replica2", 1000 + 50 * t, 0, 0) for t in (0.0, 0.5, 1.0, 1.5, 2.0, 2.5)]

    rates = selects_per_second(samples(rows), origin=0.0, bin_seconds=1.0)

    assert list(rates.index) == [0.0, 1.0, 2.0]
    assert rates.loc[0.0, "replica1"] == pytest.approx(20)
    assert rates.loc[1.0, "replica1"] == pytest.approx(20)  # 0.5 → 1.0, before the kill
    assert rates.loc[2.0, "replica1"] == pytest.approx(20)  # 2.0 → 2.5 alone
    assert rates["replica2"].tolist() == pytest.approx([50, 50, 50])


def test_a_revived_replica_rejoins_at_its_first_selects_after_the_start():
    selects = pd.DataFrame(
        {"t": [0, 1, 2, 3, 4, 5], "replica1": [30, 30, None, 0, 0, 25], "replica2": [30] * 6}
    )

    assert rejoined_at(selects, "replica1", after=2.5) == 5
    assert rejoined_at(selects, "replica1", after=5) is None
    assert rejoined_at(selects, "replica3", after=0) is None


def test_noticing_a_dead_replica_costs_at_most_one_request_per_worker_per_downtime():
    assert noticing_bound(workers=9, dead_seconds=27, downtime=30) == 9
    assert noticing_bound(workers=9, dead_seconds=31, downtime=30) == 18
    assert noticing_bound(workers=9, dead_seconds=2, downtime=30) == 9
    assert noticing_bound(workers=9, dead_seconds=0, downtime=30) == 0


def test_the_backends_log_lines_are_counted_each_as_what_it_says():
    # As replicas/health.py and replicas/backend/base.py write them.
    log = "\n".join(
        [
            "replica replica1 (127.0.0.1:40123) is dead: (2003, \"Can't connect to server "
            "on '127.0.0.1' (111)\"); marked for 30 s, its reads go elsewhere",
            "replica replica1 was lost during a read: the read goes to another",
            "replica replica1 was lost during a read: the read goes to another",
            "every replica is dead: reads of replica2 go to the primary",
            '127.0.0.1 "GET /p/kaito-tv/ HTTP/1.0" 200 5120 12ms <4242>',
            "replica replica1 is back: it serves reads again",
        ]
    )

    assert log_counts(log) == {
        "marked dead": 1,
        "reads retried": 2,
        "back": 1,
        "every replica dead": 1,
        "tracebacks": 0,
    }


def test_selects_per_request_are_counted_per_server_and_a_server_down_is_left_out():
    before = {"db": {"Com_select": 100}, "replica1": {"Com_select": 50}}
    after = {"db": {"Com_select": 120}, "replica1": {"Com_select": 250}, "replica2": {}}

    rows = server_select_rows(before, after, requests=100)

    values = {row["service"]: row["value"] for row in rows}
    assert values == {"db": 0.2, "replica1": 2.0}
    assert {row["metric"] for row in rows} == {"server_selects_per_request"}


@pytest.mark.mariadb
def test_a_servers_reading_runs_no_select_of_its_own():
    url = os.environ.get("DATABASE_URL", "")
    if not mysql_connect_args(url or "sqlite://"):
        require("needs MariaDB (apt-get install mariadb-server), then DATABASE_URL=mysql://…")
    import MySQLdb

    connection = MySQLdb.connect(**mysql_connect_args(url))
    try:
        cursor = connection.cursor()
        primary = server_reading(cursor, primary=True)
        replica = server_reading(cursor, primary=False)  # this server replicates nothing
        cursor.execute("SHOW SESSION STATUS LIKE 'Com_select'")
        own_selects = int(cursor.fetchone()[1])
    finally:
        connection.close()

    assert own_selects == 0, "the sampler's SHOW statements would add to the SELECTs it reads"
    assert primary["com_select"] >= 0 and primary["questions"] > 0
    assert isinstance(primary["position"], str)
    assert replica["seconds_behind"] is None
    assert not math.isnan(replica["questions"])


@pytest.mark.parametrize("events", [EVENTS, FROZEN], ids=["killed", "frozen"])
def test_a_replica_is_down_from_its_kill_to_the_end_of_its_return(events):
    marks = pd.DataFrame(
        [
            {"label": events[0].label, "start": 22.5, "end": 22.6},
            {"label": events[1].label, "start": 49.5, "end": 51.0},
        ]
    )
    drill = FailoverDrill(
        history=pd.DataFrame({"t": range(90)}), marks=marks, stats=None, failures=None,
        selects=None, samples=None, deaths=1, log={}, orders={}, workers=9, downtime=30,
        machine={},
    )  # fmt: skip

    assert drill.dead_seconds == pytest.approx(28.5)
    never_back = dataclasses.replace(drill, marks=marks.iloc[:1])
    assert never_back.dead_seconds == pytest.approx(89 - 22.5)  # to the end of the run
