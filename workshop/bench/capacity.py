"""``workshop bench NN --profile capacity``: the capacity ladder of one stage, on the
budget every stage shares (each server a quarter of a core: stack.toml's cpu_share).

Its private stack runs the ladder's setting: one app server in stages 01 and 02, four in
the stages of several (03 on: stack.toml's count is for the workshop, the ladder's is
fixed), and stage 05's primary and two replicas. The stack serves every climb: warm
ones first (after the stage's warm-up and the crowd's own first steps), then cold ones,
each step of which begins with emptied caches. The same crowd (workshop/load/capacity.py)
and the same promise (steps.py) for every stage.
"""

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import pandas as pd
from pymemcache.client.base import Client

from workshop.catalogue.seed import DEMO_CUSTOMERS
from workshop.load.ladder_files import SESSIONS_ENV
from workshop.load.shopmap import SHOP_MAP_ENV, customer_login, shop_discover, shop_map_save
from workshop.stack.ports import HOST
from workshop.stack.topology import APP, topology_load

from .ladder import Climb, climb_run, climb_short
from .profiles import DEFAULT_SECONDS, seconds_default
from .results import RESULTS_DIR
from .runner import private_stack
from .warmup import pages_warm_all, warm_up_exists, warm_up_wanted

LADDER_APP_SERVERS = 4  # in every stage that runs several
RUNGS = ("warm", "cold")


def ladder_servers(stage) -> int | None:
    """The ladder's app servers: four where stack.toml runs several, else its one."""
    app = topology_load(stage.path).service(APP)
    return LADDER_APP_SERVERS if app.numbered else None


def climb_setting() -> Climb:
    seconds = seconds_default()
    return Climb() if seconds >= DEFAULT_SECONDS else climb_short(seconds)


def ladder_stack(stage):
    """A private stack of the stage in the ladder's setting (runner.private_stack)."""
    return private_stack(stage, quiet=True, servers=ladder_servers(stage))


def capacity(stage, *, runs: int = 2, rungs=RUNGS, climb: Climb | None = None, stack=None):
    """Every step of every climb, a frame: rung, run, step, users, the step's figures.
    ``stack``: one in the ladder's setting to climb on (ladder_stack); by default the
    climbs get their own, stopped after."""
    if stack is None:
        with ladder_stack(stage) as own:
            return capacity(stage, runs=runs, rungs=rungs, climb=climb, stack=own)
    climb = climb or climb_setting()
    run = f"{stage.number}-{datetime.now():%Y%m%dT%H%M%S}"
    folder = RESULTS_DIR / "raw" / f"capacity-{run}"
    folder.mkdir(parents=True)
    env, steps = _locust_env(stack, folder, sessions=climb.returning_sessions), []
    for rung in rungs:
        if rung == "warm":
            _warm_up(stage, stack)
        for number in range(1, runs + 1):
            climb_folder = folder / f"{rung}-{number}"
            climb_folder.mkdir()
            rows = climb_run(
                stack, label=f"{stage.number} {rung} run {number}", cold=rung == "cold",
                climb=climb, folder=climb_folder, env=env, caches_empty=lambda: caches_empty(stack),
            )  # fmt: skip
            steps += [dict(row, rung=rung, run=number) for row in rows]
    frame = pd.DataFrame(steps).assign(stage=stage.number, app_servers=len(stack.apps()))
    frame.to_csv(RESULTS_DIR / f"capacity-{run}.csv", index=False)
    return frame


def _locust_env(stack, folder: Path, *, sessions: int) -> dict:
    """The shop's map and the returning customers' cookies, made before any climb: the
    logins behind those sessions are outside every measurement."""
    shop = shop_discover(stack.url)
    shop_map_save(shop, folder / "shop.json")
    cookies = [customer_login(stack.url, name) for name in DEMO_CUSTOMERS[:sessions]]
    (folder / "sessions.json").write_text(json.dumps(cookies))
    return dict(
        os.environ,
        **{SHOP_MAP_ENV: str(folder / "shop.json"), SESSIONS_ENV: str(folder / "sessions.json")},
    )


def _warm_up(stage, stack) -> None:
    if warm_up_exists(stage) and warm_up_wanted():
        print(f"{stage.number} warm-up: {pages_warm_all(stack)}", flush=True)


def caches_empty(stack) -> None:
    """What a deploy leaves: memcached flushed, no page file on disk."""
    client = Client((HOST, stack.ports["cache"]), connect_timeout=2, timeout=2)
    try:
        client.flush_all(noreply=False)
    finally:
        client.close()
    pages_remove(stack.run.var_dir / "pages")


def pages_remove(pages: Path) -> None:
    """Every page file under ``pages``, while the app servers serve: a file they write
    meanwhile may stay (a deploy's first visitors write them too), nothing fails."""
    if not pages.is_dir():
        return
    for entry in pages.iterdir():
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def capacity_of(steps: pd.DataFrame) -> pd.DataFrame:
    """Each climb's capacity: the most users of a step kept (and counted); 0 if none."""
    held = steps["users"].where(steps["kept"] & steps["counts"], 0)
    climbs = steps.assign(capacity=held).groupby(["stage", "rung", "run"])["capacity"]
    return climbs.max().reset_index()
