"""Stage 03's measurements beyond ``bench``'s profiles: one profile at several numbers of
app servers, on one stack scaled between the runs as ``workshop scale`` does, so that the
rates compare within one run on one machine.

Each run is measured as ``bench`` measures a profile (CPU from /proc, statements from
MariaDB); its rows carry the number of app servers (metric ``app_servers``), and the run
column names it (``…-4servers``).
"""

import os
from datetime import datetime

import pandas as pd

from workshop.load.shopmap import SHOP_MAP_ENV, shop_discover, shop_map_save

from ..machine import machine_describe, machine_line
from ..profiles import Profile, run_seconds, run_users, seconds_default
from ..results import RESULTS_DIR, metric, results_frame, results_write
from ..runner import _stack_target, _warm_up, profile_measure


def servers_bench(
    stage, stack, profile: Profile, *, counts, users=None, seconds=None, progress="lines"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``profile`` once per number of app servers in ``counts`` (in that order), on
    ``stack`` (up, and left up at the last count): the tidy results and the history, both
    also written to results/."""
    seconds = seconds or seconds_default()
    name = f"{stage.number}-{datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}-{profile.name}"
    raw_dir = RESULTS_DIR / "raw" / name
    raw_dir.mkdir(parents=True, exist_ok=True)
    shop_map_save(shop_discover(stack.url), raw_dir / "shop.json")
    env = dict(os.environ, **{SHOP_MAP_ENV: str(raw_dir / "shop.json")})
    results, history = [], []
    for servers in counts:
        stack.scale(servers)
        target = _stack_target(stage, stack)
        if profile.name == "spike" and target.warm_up:
            _warm_up(target, progress)
        rows, seconds_rows = profile_measure(
            profile, target, users=run_users(profile, users),
            seconds=run_seconds(profile, seconds), prefix=raw_dir / f"{servers}servers",
            env=env, progress=progress,
        )  # fmt: skip
        constant = {"run": f"{name}-{servers}servers", "stage": stage.number}
        machine = machine_line(machine_describe())
        results.append(results_frame(rows, **constant, profile=profile.name, machine=machine))
        history.append(seconds_rows.assign(**constant, profile=profile.name, app_servers=servers))
    results, history = pd.concat(results, ignore_index=True), pd.concat(history, ignore_index=True)
    results_write(results, RESULTS_DIR / f"bench-{name}.csv")
    results_write(history, RESULTS_DIR / f"bench-{name}-history.csv")
    return results, history


def by_servers(results: pd.DataFrame, name: str, **where) -> pd.Series:
    """One metric per number of app servers (``metric(results, name, **where)`` of each run)."""
    servers = metric(results, "app_servers").set_index("run")["value"].astype(int)
    rows = metric(results, name, **where).set_index("run")["value"]
    return rows.groupby(servers).mean().rename_axis("app servers")


def scaling_table(results: pd.DataFrame, *, cores: int) -> pd.DataFrame:
    """Per number of app servers: requests per second, as a ratio to one server and to
    the ideal (n times one server's), the p95, the app servers' CPU per request, the
    cores the app servers and locust used (CPU per request times requests per second),
    and how busy the whole machine was."""
    rps = by_servers(results, "rps", endpoint="Aggregated", service="")
    app_ms = by_servers(results, "cpu_ms_per_request", service="app")
    locust_ms = by_servers(results, "cpu_ms_per_request", service="locust")
    table = pd.DataFrame(
        {
            "req/s": rps,
            "ratio to 1 server": rps / rps.loc[1],
            "of ideal": rps / (rps.loc[1] * rps.index),
            "p95 ms": by_servers(results, "p95_ms", endpoint="Aggregated", service=""),
            "app CPU ms/req": app_ms,
            "app servers (cores)": app_ms * rps / 1000,
            "locust (cores)": locust_ms * rps / 1000,
            "machine busy": by_servers(results, "machine_busy"),
        }
    )
    table["idle cores"] = cores * (1 - table["machine busy"])
    return table
