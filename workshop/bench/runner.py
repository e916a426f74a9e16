"""``bench``: measure one stage with its load profiles, one locust run each.

Around every run it reads each service's CPU time from /proc and the database's
statement counters, so that each profile gets its server cost per request.
"""

import contextlib
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
import psutil

from workshop import ROOT
from workshop.load.shopmap import (
    CAMPAIGN,
    ORDERS,
    SHOP_MAP_ENV,
    STOCK_CHECK,
    pages_warm,
    shop_discover,
    shop_map_save,
)

from . import cpu
from .db import counters_spent, statement_counter_for
from .locust_csv import AGGREGATED, failures_read, histories_read, history_read, stats_read
from .locust_run import locust_run
from .logins import LOGIN, hash_cpu_ms
from .machine import machine_describe, machine_line
from .profiles import Profile, profiles_for, run_seconds, run_users, seconds_default
from .progress import Progress, progress_mode
from .reporting.analysis import breaking_point, p95_safe_and_rest, stale_reads
from .results import (
    RESULTS_DIR,
    endpoint_rows,
    per_request_rows,
    results_frame,
    results_write,
    run_rows,
)
from .warmup import WARM_UP_ENV, pages_warm_all, warm_up_exists, warm_up_wanted

DB_METRICS = {"db_queries_per_request": "Questions", "db_selects_per_request": "Com_select"}


@dataclass
class Target:
    """Where to send the load and what can be measured there."""

    url: str
    service_pids: object = None  # callable -> {service: [pids]}; None: CPU not measured
    database_url: str | None = None
    notes: list[str] = field(default_factory=list)
    warm_up: object = None  # callable before the spike -> a line saying what it did
    app_servers: int | None = None  # how many the stack runs; None: not known (--url)
    server_counts: object = None  # callable -> {MariaDB instance: counters}; None: not read


@dataclass
class BenchResult:
    run: str
    stage: str
    results: pd.DataFrame  # tidy, see results.py
    history: pd.DataFrame  # per profile and second: users, rps, p95 ...
    machine: dict
    notes: list[str]
    results_path: Path
    history_path: Path


BENCH_RUN_ROOT = ROOT / ".run" / "bench"


@contextlib.contextmanager
def target_for(stage, url: str | None, *, stack=None, quiet: bool, servers: int | None = None):
    """What to load: the given URL as it is; the given stack (started if it is not up,
    and then stopped again); by default a stack of the stage for this run alone, with
    ``servers`` app servers if given."""
    if servers and (url or stack):
        from workshop.stack import StackError

        raise StackError("--servers sets up the bench's own stack: it cannot change --url's")
    if url:
        note = "CPU per request not measured: --url names a stack whose processes are not ours"
        yield Target(url.rstrip("/"), notes=[note], warm_up=_warm_up_for(stage))
        return
    if stack is None:
        with private_stack(stage, quiet=quiet, servers=servers) as own:
            yield _stack_target(stage, own)
        return
    started = not stack.is_up()
    if started:
        stack.up()
    try:
        yield _stack_target(stage, stack)
    finally:
        if started:
            stack.down()


def _stack_target(stage, stack) -> Target:
    database_url = stack.env().get("DATABASE_URL")
    apps = stack.apps()
    target = Target(stack.url, stack.service_pids, database_url, warm_up=_warm_up_for(stage, stack))
    target.app_servers = len(apps)
    if stack.env().get("DATABASE_URL", "").startswith("mysql"):
        target.server_counts = lambda: _server_counts(stack)
    if apps and apps[0].cpu_share:  # a stage of small hosting accounts (03 on)
        capped = all(app.cgroup_procs for app in apps)
        how = f"each held to {apps[0].cpu_share:g} of a core" if capped else "UNCAPPED (no cgroups)"
        target.notes.append(f"{len(apps)} app servers, {how}")
    return target


def _warm_up_for(stage, stack=None):
    """What to do before the spike: the stage's warm-up, if it has one (stage 02 on), as
    the team ran it before the segment aired. It needs the stack's environment."""
    if not warm_up_exists(stage):
        return None
    if stack is None:
        return lambda: "page files NOT warmed before the spike: --url's stack is not ours"
    if not warm_up_wanted():
        return lambda: f"page files NOT warmed before the spike: {WARM_UP_ENV}=0 (a short run)"
    return lambda: f"warmed up before the spike, manage.py warm_pages: {pages_warm_all(stack)}"


@contextlib.contextmanager
def private_stack(stage, *, quiet: bool, servers: int | None = None):
    """The stage's stack in a run folder and on ports of its own, so that no other
    traffic (a `workshop up` stack in use, another run's tests) reaches the processes
    whose CPU and statements are counted. Up for the run, then down and deleted."""
    from workshop.stack import Stack  # only the native case needs the stack runner
    from workshop.stack.ports import port_pick_free

    _leftovers_remove(stage, quiet=quiet)
    run_dir = BENCH_RUN_ROOT / f"{stage.name}-{os.getpid()}"
    stack = Stack.for_stage(
        stage, port=port_pick_free(), run_dir=run_dir, quiet=quiet, app_servers=servers
    )
    try:
        stack.up()
        yield stack
    except BaseException:
        stack.down()  # its logs stay in run_dir, until the next run removes them
        raise
    stack.down()
    shutil.rmtree(run_dir, ignore_errors=True)


def _leftovers_remove(stage, *, quiet: bool) -> None:
    """Stop and delete the private stacks of runs that were killed before their end
    (the folder names the bench's pid, which no longer runs)."""
    from workshop.stack import Stack

    for run_dir in BENCH_RUN_ROOT.glob(f"{stage.name}-*"):
        pid = run_dir.name.rpartition("-")[2]
        if pid.isdigit() and not psutil.pid_exists(int(pid)):
            Stack.for_stage(stage, run_dir=run_dir, quiet=quiet).down()
            shutil.rmtree(run_dir, ignore_errors=True)


def bench(
    stage, *, choice="all", users=None, seconds=None, url=None, stack=None, progress="auto",
    servers=None,
) -> BenchResult:  # fmt: skip
    """Run the chosen profiles (the ceiling first) against a stage; write and return
    the results. ``stack``: a Stack to load instead of a private one (the tests');
    ``servers``: how many app servers the private stack runs (stack.toml's by default)."""
    seconds = seconds or seconds_default()
    progress = progress_mode(progress)
    # The pid too: two benches started in the same second must not share their files.
    run = f"{stage.number}-{datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}"
    raw_dir = RESULTS_DIR / "raw" / run
    raw_dir.mkdir(parents=True)
    quiet = progress != "terminal"
    with target_for(stage, url, stack=stack, quiet=quiet, servers=servers) as target:
        machine = machine_describe()
        constant = {"run": run, "stage": stage.number, "machine": machine_line(machine)}
        results, history = [], []
        for profile, rows, seconds_rows in _profiles_measure(
            choice, target, users=users, seconds=seconds, raw_dir=raw_dir, progress=progress
        ):
            results.append(results_frame(rows, **constant, profile=profile.name))
            history.append(seconds_rows.assign(run=run, stage=stage.number, profile=profile.name))
    results, history = pd.concat(results, ignore_index=True), pd.concat(history, ignore_index=True)
    return BenchResult(
        run=run, stage=stage.number, results=results, history=history, machine=machine,
        notes=target.notes,
        results_path=results_write(results, RESULTS_DIR / f"bench-{run}.csv"),
        history_path=results_write(history, RESULTS_DIR / f"bench-{run}-history.csv"),
    )  # fmt: skip


# The probes that measure a cached page: their pages are requested once before, so that
# each request measured is a cache hit (stage 04's customer: the skeleton of the page).
PAGES_WARMED = {"product-cached": "", "product-campaign": CAMPAIGN, "product-customer": ""}


def _profiles_measure(choice, target: Target, *, users, seconds, raw_dir: Path, progress):
    """Each profile's (profile, result rows, history), after learning the shop's pages
    once: the discovery's requests fall outside every measurement."""
    shop = shop_discover(target.url)
    shop_map_save(shop, raw_dir / "shop.json")
    env = dict(os.environ, **{SHOP_MAP_ENV: str(raw_dir / "shop.json")})
    for profile in profiles_for(choice):
        if profile.name in PAGES_WARMED:
            suffix = PAGES_WARMED[profile.name]
            pages_warm(target.url, [f"/p/{slug}/{suffix}" for slug in shop.probe_products()])
        if profile.name == "spike" and target.warm_up:
            _warm_up(target, progress)
        rows, history = profile_measure(
            profile, target, users=run_users(profile, users),
            seconds=run_seconds(profile, seconds), prefix=raw_dir / profile.name,
            env=env, progress=progress,
        )  # fmt: skip
        yield profile, rows, history


def _warm_up(target: Target, progress) -> None:
    """The stage's warm-up, said at once and in the summary's notes."""
    note = target.warm_up()
    target.notes.append(note)
    if progress != "quiet":
        print(note, flush=True)


def profile_measure(profile: Profile, target: Target, *, users, seconds, prefix, env, progress):
    """One locust run of a profile, with the server's CPU and statements around it."""
    counter = _statement_counter(target)
    before = _readings(target, counter)
    started = time.monotonic()
    run = locust_run(
        profile, host=target.url, users=users, seconds=seconds, prefix=prefix, env=env,
        progress=Progress(f"{profile.name} ({users} users)", seconds, mode=progress),
    )  # fmt: skip
    after = _readings(target, counter)
    wall = time.monotonic() - started
    if counter:
        counter.close()

    stats, history = stats_read(prefix), history_read(prefix)
    # The safe pages' p95 beside everything else's, second by second (analysis.py).
    history = history.merge(p95_safe_and_rest(histories_read(prefix)), on="t", how="left")
    requests = int(stats.loc[stats["endpoint"] == AGGREGATED, "requests"].iloc[0])
    rows = endpoint_rows(stats) + run_rows(users=users, seconds=seconds)
    if target.app_servers is not None:
        rows += run_rows(app_servers=target.app_servers)
    rows += _server_rows(run.cpu_seconds, before, after, wall=wall, requests=requests)
    rows += _login_rows(stats)
    if profile.name == "spike":
        rows += _break_rows(history) + _worst_p95_rows(history)
    return rows + _stale_read_rows(stats, prefix), history


def _login_rows(stats: pd.DataFrame) -> list[dict]:
    """How many logins the run had, and what one password check costs here (logins.py)."""
    logins = stats.loc[stats["endpoint"] == LOGIN, "requests"]
    if logins.empty or not logins.iloc[0]:
        return []
    return run_rows(logins=int(logins.iloc[0]), login_hash_ms=hash_cpu_ms())


def _stale_read_rows(stats: pd.DataFrame, prefix) -> list[dict]:
    """How often shoppers read My orders right after an order, and a product's page right
    after a sale, and found a page older than the change."""
    checked = stats.loc[stats["endpoint"] == f"GET {ORDERS}", "requests"]
    if checked.empty:
        return []
    stock = stats.loc[stats["endpoint"] == f"GET {STOCK_CHECK}", "requests"]
    return run_rows(
        orders_checked=int(checked.iloc[0]),
        stock_checked=int(stock.iloc[0]) if not stock.empty else 0,
        stale_reads=stale_reads(failures_read(prefix)),
    )


def _server_counts(stack) -> dict:
    """Each MariaDB server's counters (stage 05: the primary and each replica), by name."""
    from workshop.stack.databases import statement_counts

    return statement_counts(stack)


def _statement_counter(target: Target):
    if target.service_pids is None:
        return None
    counter, note = statement_counter_for(target.database_url)
    if note and note not in target.notes:
        target.notes.append(note)
    return counter


def _readings(target: Target, counter) -> dict | None:
    if target.service_pids is None:
        return None
    return {
        "services": cpu.cpu_snapshot(target.service_pids()),
        "machine": cpu.machine_busy_seconds(),
        "db": _counted(target, counter and counter.read, "database statements"),
        "servers": _counted(target, target.server_counts, "SELECTs per server"),
    }


def _counted(target: Target, read, what: str) -> dict | None:
    """``read()``, the database's counters; None (and a note) if there is nothing to read
    or it cannot be read: a lost connection costs the run those counts, not its other
    figures."""
    if read is None:
        return None
    try:
        return read()
    except Exception as error:  # MySQLdb's errors; the driver is an optional extra
        target.notes.append(f"{what} not counted for a run: {error}")
        return None


def _server_rows(locust_cpu: float, before, after, *, wall: float, requests: int) -> list[dict]:
    """CPU ms per request of each service, of locust and of the rest of the machine;
    database statements per request."""
    spent, rows = {"locust": locust_cpu}, []
    if before:
        spent |= cpu.cpu_spent(before["services"], after["services"])
        busy = after["machine"] - before["machine"]
        spent["other"] = max(0.0, busy - sum(spent.values()))
        rows += run_rows(machine_busy=busy / (wall * (os.cpu_count() or 1)))
    rows += per_request_rows(spent, requests, metric="cpu_ms_per_request", scale=1000)
    if before and before["db"] is not None and after["db"] is not None:
        statements = counters_spent(before["db"], after["db"])
        for metric, counter in DB_METRICS.items():
            rows += per_request_rows({"db": statements[counter]}, requests, metric=metric)
    if before and before.get("servers") and after.get("servers"):
        rows += server_select_rows(before["servers"], after["servers"], requests)
    return rows


def server_select_rows(before: dict, after: dict, requests: int) -> list[dict]:
    """SELECTs per request on each MariaDB server by its name (``db``; stage 05's
    ``replica1``, ``replica2``): where the reads went. A server that did not run at
    either reading is left out."""
    selects = {
        name: after[name]["Com_select"] - before[name]["Com_select"]
        for name in before
        if name in after
    }
    return per_request_rows(selects, requests, metric="server_selects_per_request")


def _break_rows(history: pd.DataFrame) -> list[dict]:
    point = breaking_point(history)
    if point is None:
        return run_rows(broke=0)
    by_failures = int(point["cause"] == "failures")  # else the p95 passed the limit
    return run_rows(
        broke=1, break_t_s=point["t"], break_users=point["users"], break_by_failures=by_failures
    )


def _worst_p95_rows(history: pd.DataFrame) -> list[dict]:
    """The worst recent p95 of the run: of every request, of the safe pages alone, and of
    the requests with a session."""
    return run_rows(
        worst_p95_ms=history["p95_ms"].max(),
        worst_safe_p95_ms=history["safe_p95_ms"].max(),
        worst_session_p95_ms=history["session_p95_ms"].max(),
    )
