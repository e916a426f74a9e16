"""Stage 05's drill: a replica killed with kill -9 under a steady crowd, and started again.

The pattern of stage 03's drill (drill.py): a private stack, the crowd of browsers and
shoppers in a background locust (workshop/load/crowd.py), timed events meanwhile: here
replica1 killed (workshop/stack/instances.py, as a machine that dies) and, later, started
again (it replicates from where it stopped). Every database is watched meanwhile
(replication.py's sampler): the SELECTs each server runs per second show the reads
leave the dead replica and come back to it; its lag shows it catch up.

What noticing the death cost is read where the backend (replicas/health.py) leaves it:
the deaths it counted in memcached, and its lines in the app servers' logs: a replica
marked dead (once per death, by the worker that noticed it first), a read retried after
its connection was lost, a replica back after its downtime. A worker pays for a dead
replica at most once per downtime (a refused or timed-out connect, or a lost read), so
the bound is app workers × downtimes.
"""

import contextlib
import math
import os
import signal
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from workshop.load.shopmap import SHOP_MAP_ENV, shop_discover, shop_map_save

from ..locust_csv import AGGREGATED, failures_read, histories_read, history_origin, stats_read
from ..locust_run import locust_command
from ..machine import machine_describe
from ..profiles import run_seconds, seconds_default
from ..results import RESULTS_DIR
from ..runner import private_stack
from .drill import (
    CHECKOUT,
    CROWD,
    ORDER_PAGE,
    STOP_TIMEOUT_SECONDS,
    _crowd_with_events,
    failures_by_method,
    marks_on_clock,
    orders_account,
    orders_count,
)
from .replication import ReplicationSampler, selects_per_second

REPLICA = "replica1"
DOWNTIME_SECONDS = 30  # the stage's REPLICA_DOWNTIME_SECONDS by default
DOWNTIME_ENV = "REPLICA_DOWNTIME_SECONDS"
# What replicas/health.py and replicas/backend/base.py write, one line per event.
LOG_LINES = {
    "marked dead": ") is dead:",  # "replica replica1 (127.0.0.1:…) is dead: …"
    "reads retried": "was lost during a read",
    "back": "is back",
    "every replica dead": "every replica is dead",
    "tracebacks": "Traceback",
}


@dataclass(frozen=True)
class ReplicaEvent:
    share: float  # of the run, when it is due
    # "kill": kill -9 the replica; "start": start it again; "freeze": SIGSTOP, a server that
    # stops answering while its port stays open (connects then wait for the timeout);
    # "thaw": SIGCONT
    action: str
    replica: str

    @property
    def label(self) -> str:
        return {
            "kill": f"kill -9 {self.replica}",
            "start": f"{self.replica} started",
            "freeze": f"kill -STOP {self.replica}",
            "thaw": f"kill -CONT {self.replica}",
        }[self.action]


EVENTS = (ReplicaEvent(0.25, "kill", REPLICA), ReplicaEvent(0.55, "start", REPLICA))
FROZEN = (ReplicaEvent(0.25, "freeze", REPLICA), ReplicaEvent(0.55, "thaw", REPLICA))


@dataclass
class FailoverDrill:
    history: pd.DataFrame  # per second: users, rps, failures_per_s, p95_ms, get_/post_failures
    marks: pd.DataFrame  # label, start, end (seconds on the history's clock)
    stats: pd.DataFrame  # per endpoint, locust's
    failures: pd.DataFrame  # locust's failures by message
    selects: pd.DataFrame  # t, then SELECTs per second of each server
    samples: pd.DataFrame  # the sampler's rows (replication.py), t on the history's clock
    deaths: int  # the deaths the backend counted in memcached
    log: dict  # LOG_LINES' counts in the app servers' logs
    orders: dict  # drill.orders_account's
    workers: int  # app workers, every app server's
    downtime: int
    machine: dict

    @property
    def dead_seconds(self) -> float:
        """From the kill to the end of the start (or of the run, if it never started)."""
        kill = self.marks[self.marks["label"].str.startswith(("kill -9", "kill -STOP"))]
        start = self.marks[self.marks["label"].str.endswith(("started", "-CONT " + REPLICA))]
        if kill.empty:
            return 0.0
        end = start["end"].iloc[0] if not start.empty else self.history["t"].max()
        return float(end - kill["start"].iloc[0])


def noticing_bound(*, workers: int, dead_seconds: float, downtime: int) -> int:
    """At most one costly request per worker per downtime begun while the replica was
    dead: workers × the downtimes the dead time spans (the first one at least)."""
    if dead_seconds <= 0:
        return 0
    return workers * max(1, math.ceil(dead_seconds / downtime))


def rejoined_at(selects: pd.DataFrame, replica: str, *, after: float) -> float | None:
    """The first time after ``after`` at which ``replica`` ran SELECTs again (the app's
    reads: the sampler's own statements are no SELECTs); None if it never did."""
    if replica not in selects.columns:
        return None
    served = selects[(selects["t"] > after) & (selects[replica] > 0)]
    return None if served.empty else float(served["t"].iloc[0])


def log_counts(text: str) -> dict[str, int]:
    """How many lines of the app servers' logs say each of LOG_LINES."""
    lines = text.splitlines()
    return {name: sum(marker in line for line in lines) for name, marker in LOG_LINES.items()}


def failover_run(
    stage, *, seconds=None, users=None, events=EVENTS, downtime=DOWNTIME_SECONDS, progress="lines"
) -> FailoverDrill:
    """The drill on a private stack of ``stage`` whose app servers mark a dead replica for
    ``downtime`` seconds; the crowd runs ``crowd``'s share of the duration setting."""
    seconds = run_seconds(CROWD, seconds or seconds_default())
    name = f"{stage.number}-{datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}-failover"
    raw_dir = RESULTS_DIR / "raw" / name
    raw_dir.mkdir(parents=True, exist_ok=True)
    prefix = raw_dir / "crowd"
    with _environment(DOWNTIME_ENV, str(downtime)), private_stack(stage, quiet=True) as stack:
        machine = machine_describe()
        shop_map_save(shop_discover(stack.url), raw_dir / "shop.json")
        env = dict(os.environ, **{SHOP_MAP_ENV: str(raw_dir / "shop.json")})
        database_url = stack.env()["DATABASE_URL"]
        before = orders_count(database_url)
        logs = _AppLogs(stack)
        command = locust_command(
            CROWD, host=stack.url, users=users or CROWD.users, seconds=seconds, prefix=prefix,
            extra=["--stop-timeout", str(STOP_TIMEOUT_SECONDS)],
        )  # fmt: skip
        with ReplicationSampler(stack) as sampler:
            try:
                marks = _crowd_with_events(
                    stack, command, events, seconds=seconds, env=env, progress=progress, act=_act
                )
            finally:  # a frozen replica answers again, whatever happened
                for event in events:
                    _signal(stack, event.replica, signal.SIGCONT)
        placed = orders_count(database_url) - before
        log, deaths, workers = log_counts(logs.since()), _deaths(stack), _workers(stack)
    origin = history_origin(prefix)
    samples = sampler.frame()
    history = _history(prefix)
    stats = stats_read(prefix)
    requests = stats.set_index("endpoint")
    return FailoverDrill(
        history=history, marks=marks_on_clock(marks, origin), stats=stats,
        failures=failures_read(prefix),
        selects=selects_per_second(samples, origin).reset_index(),
        samples=samples.assign(t=samples["t"] - origin), deaths=deaths, log=log,
        orders=orders_account(
            placed=placed, succeeded=int(requests["requests"].get(ORDER_PAGE, 0)),
            failed_checkouts=int(requests["failures"].get(CHECKOUT, 0)),
        ),
        workers=workers, downtime=downtime, machine=machine,
    )  # fmt: skip


def _act(stack, event: ReplicaEvent, progress) -> list[dict]:
    from workshop.stack.instances import instance_kill, instance_start

    if progress != "quiet":
        print(f"drill: {event.label}", flush=True)
    if event.action == "kill":
        instance_kill(stack, event.replica)
    elif event.action == "start":
        instance_start(stack, event.replica)  # returns once it replicates again
    else:
        _signal(
            stack, event.replica, signal.SIGSTOP if event.action == "freeze" else signal.SIGCONT
        )
    return []


def _signal(stack, name: str, sig) -> None:
    from workshop.stack.instances import instance_pid
    from workshop.stack.processes import process_tree, processes_signal

    pid = instance_pid(stack, name)
    if pid:
        processes_signal(process_tree(pid), sig)


def _history(prefix) -> pd.DataFrame:
    histories = histories_read(prefix)
    history = histories[histories["endpoint"] == AGGREGATED].drop(columns="endpoint")
    return history.merge(failures_by_method(histories), on="t", how="left").fillna(0.0)


@contextlib.contextmanager
def _environment(name: str, value: str):
    """``name`` set for what starts meanwhile (the stack's app servers inherit it)."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            del os.environ[name]
        else:
            os.environ[name] = previous


class _AppLogs:
    """What the app servers write to their logs from now on."""

    def __init__(self, stack):
        apps = stack.apps()
        self.sizes = {app.output_log: _size(app.output_log) for app in apps}

    def since(self) -> str:
        text = ""
        for log, size in self.sizes.items():
            with contextlib.suppress(FileNotFoundError), Path(log).open("rb") as file:
                file.seek(size)
                text += file.read().decode(errors="replace")
        return text


def _size(path) -> int:
    try:
        return Path(path).stat().st_size
    except FileNotFoundError:
        return 0


def _deaths(stack) -> int:
    """The deaths replicas/health.py counted, from the stack's memcached (Django's key for
    "replicas:deaths": no prefix, version 1; its values pickled as Django stores them)."""
    from pymemcache.client.base import Client
    from pymemcache.serde import pickle_serde

    client = Client(("127.0.0.1", stack.ports["cache"]), serde=pickle_serde, timeout=5)
    try:
        return int(client.get(":1:replicas:deaths") or 0)
    finally:
        client.close()


def _workers(stack) -> int:
    """Every app server's worker processes (their masters not counted)."""
    apps = stack.apps()
    processes = stack.service_pids().get("app", [])
    return max(0, len(processes) - len(apps))
