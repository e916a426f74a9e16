"""A drill: the shop under a steady crowd while an operator kills and adds app servers.

A private stack of the stage, a crowd of browsers and shoppers who check out
(workshop/load/crowd.py) in a background locust, and timed events while it runs: an app
server's master killed with SIGKILL (supervisord starts it again), servers added and
removed as ``workshop scale`` does. Afterwards: requests and failures second by second,
the events on the same clock, and the orders in the stack's MariaDB against the
checkouts locust saw succeed.

Counting orders: a checkout that placed an order answers with a redirect to the order,
and the shopper asks for that page next, with no pause (shoppers.py), so locust's count
of ``GET /orders/[id]/`` is the number of checkouts that succeeded; a sold-out answer
(409) places nothing and is not followed. Locust stops with ``--stop-timeout``: a shopper
whose checkout is under way finishes it, so no order is placed after locust stopped
counting.
"""

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from workshop.load.shopmap import SHOP_MAP_ENV, shop_discover, shop_map_save

from ..db import mysql_connect_args
from ..locust_csv import AGGREGATED, histories_read, history_latest, history_origin, stats_read
from ..locust_run import locust_command
from ..machine import machine_describe
from ..profiles import PROFILES, run_seconds, seconds_default
from ..progress import Progress
from ..results import RESULTS_DIR
from ..runner import private_stack

CROWD = PROFILES["crowd"]
ORDER_PAGE, CHECKOUT = "GET /orders/[id]/", "POST /checkout/"
STOP_TIMEOUT_SECONDS = 30  # a shopper's checkout under way finishes before locust stops
RESTART_WAIT_SECONDS = 30
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class Event:
    share: float  # of the run, when it is due
    action: str  # "kill": SIGKILL to app server ``servers``'s master; "scale": run ``servers``
    servers: int

    @property
    def label(self) -> str:
        return f"kill -9 app{self.servers}" if self.action == "kill" else f"scale to {self.servers}"


# From two servers: one killed (and restarted), two added, two removed again.
START_SERVERS = 2
EVENTS = (Event(0.2, "kill", 1), Event(0.4, "scale", 4), Event(0.7, "scale", 2))


def events_play(events, *, seconds: float, act, clock, wait, running) -> list[dict]:
    """Do each event (``act(event)``) once its time has come, in order of time, while
    ``running()``; ``wait()`` passes a moment. Each event's marks: its own (label, start,
    end on ``clock``), and any ``act`` returns (a restart it saw, say)."""
    origin, marks = clock(), []
    for event in sorted(events, key=lambda e: e.share):
        while clock() - origin < event.share * seconds:
            if not running():
                return marks
            wait()
        if not running():
            return marks
        start = clock()
        seen = act(event) or []
        marks.append({"label": event.label, "start": start, "end": clock()})
        marks += seen
    return marks


def marks_on_clock(marks: list[dict], origin: float) -> pd.DataFrame:
    """The marks in seconds from ``origin`` (the history's first second)."""
    frame = pd.DataFrame(marks, columns=["label", "start", "end"])
    return frame.assign(start=frame["start"] - origin, end=frame["end"] - origin)


def orders_account(*, placed: int, succeeded: int, failed_checkouts: int) -> dict:
    """Orders in the database against checkouts: ``lost`` are successful checkouts with no
    order; ``doubled`` are orders beyond every checkout that could have placed one (the
    successes, and the failed ones, which the server may have placed before it failed)."""
    return {
        "orders placed": placed,
        "checkouts that succeeded": succeeded,
        "checkouts that failed": failed_checkouts,
        "lost": max(0, succeeded - placed),
        "doubled": max(0, placed - succeeded - failed_checkouts),
    }


@dataclass
class Drill:
    history: pd.DataFrame  # per second: users, rps, failures_per_s, get_ and post_failures_per_s
    marks: pd.DataFrame  # label, start, end (seconds on the history's clock)
    stats: pd.DataFrame  # per endpoint, locust's stats
    orders: dict  # orders_account's
    servers: pd.DataFrame  # t, app servers running (as asked for)
    machine: dict
    restarted_served: int  # requests the killed server's new processes answered


def drill_run(stage, *, seconds=None, users=None, events=EVENTS, progress="lines") -> Drill:
    """The drill on a private stack of ``stage`` with START_SERVERS app servers; the crowd
    runs ``crowd``'s share of the duration setting."""
    seconds = run_seconds(CROWD, seconds or seconds_default())
    name = f"{stage.number}-{datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}-drill"
    raw_dir = RESULTS_DIR / "raw" / name
    raw_dir.mkdir(parents=True, exist_ok=True)
    prefix = raw_dir / "crowd"
    with private_stack(stage, quiet=True, servers=START_SERVERS) as stack:
        machine = machine_describe()
        shop_map_save(shop_discover(stack.url), raw_dir / "shop.json")
        env = dict(os.environ, **{SHOP_MAP_ENV: str(raw_dir / "shop.json")})
        database_url = stack.env()["DATABASE_URL"]
        before = orders_count(database_url)
        command = locust_command(
            CROWD, host=stack.url, users=users or CROWD.users, seconds=seconds, prefix=prefix,
            extra=["--stop-timeout", str(STOP_TIMEOUT_SECONDS)],
        )  # fmt: skip
        marks = _crowd_with_events(
            stack, command, events, seconds=seconds, env=env, progress=progress
        )
        placed = orders_count(database_url) - before
        restarted_served = _restarted_served(stack, events)
    return _drill_result(prefix, marks, placed, machine, restarted_served, events)


def _crowd_with_events(stack, command, events, *, seconds, env, progress, act=None) -> list[dict]:
    """locust in the background, the events played meanwhile (each by ``act(stack, event,
    progress)``, app servers' by default); their marks."""
    act = act or _act
    prefix = command[command.index("--csv") + 1]
    ticker = Progress(
        f"drill ({command[command.index('--users') + 1]} users)", seconds, mode=progress
    )
    with Path(f"{prefix}_locust.log").open("w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    started = time.monotonic()

    def wait():
        ticker.update(time.monotonic() - started, history_latest(prefix))
        time.sleep(POLL_SECONDS)

    try:
        marks = events_play(
            events, seconds=seconds, act=lambda event: act(stack, event, progress),
            clock=time.time, wait=wait, running=lambda: process.poll() is None,
        )  # fmt: skip
        process.wait(timeout=seconds + STOP_TIMEOUT_SECONDS + 60)
    finally:
        if process.poll() is None:  # ours, by its pid: stopped if anything went wrong
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    ticker.done(history_latest(prefix))
    return marks


def _act(stack, event: Event, progress) -> list[dict]:
    if progress != "quiet":
        print(f"drill: {event.label}", flush=True)
    if event.action == "scale":
        stack.scale(event.servers)
        return []
    name = f"app{event.servers}"
    killed = _master_pid(stack, name)
    os.kill(killed, signal.SIGKILL)
    deadline = time.monotonic() + RESTART_WAIT_SECONDS
    while time.monotonic() < deadline:  # a new master, and its port answers again
        if _master_pid(stack, name) not in (0, killed) and stack.kind_of(name).health() is None:
            now = time.time()
            return [{"label": f"{name} restarted", "start": now, "end": now}]
        time.sleep(0.1)
    return []


def _master_pid(stack, name: str) -> int:
    info = stack.supervisor.processes().get(name, {})
    return info.get("pid", 0) if info.get("statename") == "RUNNING" else 0


def _restarted_served(stack, events) -> int:
    """Requests in the killed server's access log answered by its new processes (its
    master and workers now): the restarted server served again."""
    from workshop.stack.processes import process_tree

    killed = [e for e in events if e.action == "kill"]
    if not killed:
        return 0
    name = f"app{killed[0].servers}"
    app = stack.kind_of(name)
    pids = {str(pid) for pid in process_tree(_master_pid(stack, name))}
    try:
        lines = app.access_log.read_text().splitlines()
    except FileNotFoundError:
        return 0
    return sum(1 for line in lines if line.rstrip(">").rpartition("<")[2] in pids)


def orders_count(database_url: str) -> int:
    import MySQLdb  # the [mysql] extra: the stack's database is MariaDB

    database = database_url.rsplit("/", 1)[1].split("?")[0]
    connection = MySQLdb.connect(**mysql_connect_args(database_url), db=database)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM orders_order")
            return int(cursor.fetchone()[0])
    finally:
        connection.close()


def _drill_result(prefix, marks, placed, machine, restarted_served, events) -> Drill:
    stats = stats_read(prefix)
    histories = histories_read(prefix)
    history = histories[histories["endpoint"] == AGGREGATED].drop(columns="endpoint")
    history = history.merge(failures_by_method(histories), on="t", how="left").fillna(0.0)
    requests = stats.set_index("endpoint")
    succeeded = int(requests["requests"].get(ORDER_PAGE, 0))
    failed_checkouts = int(requests["failures"].get(CHECKOUT, 0))
    marks = marks_on_clock(marks, history_origin(prefix))
    orders = orders_account(placed=placed, succeeded=succeeded, failed_checkouts=failed_checkouts)
    return Drill(
        history=history, marks=marks, stats=stats, orders=orders,
        servers=servers_over_time(marks, events), machine=machine,
        restarted_served=restarted_served,
    )  # fmt: skip


def failures_by_method(histories: pd.DataFrame) -> pd.DataFrame:
    """Per second (t): failed GETs and failed POSTs per second, from every endpoint's history."""
    rows = histories[histories["endpoint"] != AGGREGATED]
    method = rows["endpoint"].str.split(" ").str[0].str.lower()
    table = rows.pivot_table(index="t", columns=method, values="failures_per_s", aggfunc="sum")
    table = table.reindex(columns=["get", "post"], fill_value=0.0).fillna(0.0)
    table.columns = [f"{m}_failures_per_s" for m in table.columns]
    return table.reset_index()


def servers_over_time(marks: pd.DataFrame, events) -> pd.DataFrame:
    """The number of app servers asked for, from the start (t = 0) and after each scale
    event's end: a step line for the plot."""
    rows = [{"t": 0.0, "servers": START_SERVERS}]
    for event in sorted(events, key=lambda e: e.share):
        done = marks[marks["label"] == event.label]
        if event.action == "scale" and not done.empty:
            rows.append({"t": float(done["end"].iloc[0]), "servers": event.servers})
    return pd.DataFrame(rows)
