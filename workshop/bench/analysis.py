"""The figures the workshop reports, computed from a run's frames."""

import pandas as pd

from .locust_csv import AGGREGATED
from .results import metric

P95_LIMIT_MS = 2000  # a page that takes longer than this has lost the visitor
NOT_SERVER = ("locust", "other")  # the load generator; the rest of the machine


def breaking_point(history: pd.DataFrame, *, p95_limit_ms: float = P95_LIMIT_MS) -> dict | None:
    """The first second in which requests failed or the recent p95 passed the limit,
    with the users at that moment; None if the run never broke.

    Locust's recent p95 covers about the last ten seconds, so it reacts a little
    after the load does: the users at the break are an upper bound.
    """
    failed = history["failures"] > 0  # a running total: the first second it grows
    too_slow = history["p95_ms"] > p95_limit_ms  # NaN (no request yet) is not slow
    broken = history[failed | too_slow]
    if broken.empty:
        return None
    first = broken.iloc[0]
    cause = "failures" if failed[first.name] else f"p95 over {p95_limit_ms / 1000:g} s"
    return {"t": float(first["t"]), "users": int(first["users"]), "cause": cause}


def peak_served_rps(history: pd.DataFrame) -> float:
    """Requests per second answered without failure, averaged over the seconds at the
    run's most users: what the shop kept up with at the height of a spike."""
    at_peak = history[history["users"] == history["users"].max()]
    return float((at_peak["rps"] - at_peak["failures_per_s"]).mean())


def cpu_table(results: pd.DataFrame) -> pd.DataFrame:
    """CPU ms per request: one row per stage and profile, one column per service,
    ``server`` the sum of the stack's services (what the shop costs)."""
    rows = metric(results, "cpu_ms_per_request")
    table = rows.pivot_table(index=["stage", "profile"], columns="service", values="value")
    servers = [s for s in table.columns if s not in NOT_SERVER]
    table["server"] = table[servers].sum(axis=1)
    return table


def cached_uncached_ratio(results: pd.DataFrame) -> pd.Series:
    """Server CPU of a cached product page over an uncached one, per stage."""
    table = cpu_table(results)["server"].unstack("profile")
    return table["product-cached"] / table["product-uncached"]


def endpoint_table(results: pd.DataFrame, profile: str) -> pd.DataFrame:
    """Per endpoint: requests, failures, req/s, p50/p95/p99 (ms), for one profile."""
    rows = results[(results["profile"] == profile) & (results["service"] == "")]
    table = rows.pivot_table(index=["stage", "endpoint"], columns="metric", values="value")
    wanted = ["requests", "failures", "rps", "p50_ms", "p95_ms", "p99_ms"]
    # Endpoints by name, their total last, as locust prints them.
    order = sorted(table.index, key=lambda key: (key[0], key[1] == AGGREGATED, key[1]))
    table = table.loc[order, [c for c in wanted if c in table.columns]]
    table.columns.name = None
    return table
