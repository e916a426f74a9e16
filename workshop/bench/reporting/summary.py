"""The readable summary ``workshop bench`` prints at the end of a run."""

import math

import pandas as pd

from ..locust_csv import AGGREGATED
from ..machine import machine_line
from ..profiles import PROFILES
from ..results import metric
from .analysis import P95_LIMIT_MS, cpu_table, cpu_table_hashes_apart

PROGRAMS = {"web": "nginx", "app": "gunicorn", "cache": "memcached", "db": "mariadbd"}
CACHED_TARGET = 1 / 3  # the workshop's claim: a cached page costs a third or less


def summary_text(result) -> str:
    parts = [f"Stage {result.stage}, run {result.run} on {machine_line(result.machine)}"]
    parts += [f"Note: {note}" for note in result.notes]
    for profile in result.results["profile"].unique():
        parts.append(profile_text(result.results[result.results["profile"] == profile]))
    parts.append(headlines_text(result.results))
    parts.append(f"Results: {result.results_path}\nHistory: {result.history_path}")
    return "\n\n".join(parts)


def profile_text(rows: pd.DataFrame) -> str:
    profile = rows["profile"].iloc[0]
    run = _run_values(rows)
    lines = [
        f"{profile}: {PROFILES[profile].about}",
        f"  {run['users']:.0f} users, {run['seconds']:.0f} s",
        endpoints_text(rows),
    ]
    cpu = metric(rows, "cpu_ms_per_request")
    if not cpu.empty:
        lines.append("  " + cpu_text(dict(zip(cpu["service"], cpu["value"], strict=True))))
        if run.get("logins"):
            lines.append("  " + hashes_text(rows, run))
    queries = metric(rows, "db_queries_per_request")
    if not queries.empty:
        selects = metric(rows, "db_selects_per_request")["value"].iloc[0]
        lines.append(
            f"  database statements per request: {queries['value'].iloc[0]:.2f}"
            f" ({selects:.2f} SELECTs)"
        )
    servers = metric(rows, "server_selects_per_request")
    if len(servers) > 1:  # stage 05: the primary and its replicas
        parts = [f"{s} {v:.2f}" for s, v in zip(servers["service"], servers["value"], strict=True)]
        lines.append("  SELECTs per request by server: " + ", ".join(parts))
    if "stale_reads" in run and "stock_checked" in run:
        lines.append(
            f"  stale reads: {run['stale_reads']:.0f} in {run['orders_checked']:.0f} new orders"
            f" on My orders and {run['stock_checked']:.0f} product pages right after a sale"
        )
    elif "stale_reads" in run:
        lines.append(
            f"  stale reads: {run['stale_reads']:.0f} of {run['orders_checked']:.0f} new orders"
            " missing from My orders"
        )
    if "machine_busy" in run:
        lines.append(f"  machine busy: {run['machine_busy']:.0%} of all cores")
    return "\n".join(lines)


def endpoints_text(rows: pd.DataFrame) -> str:
    table = rows[rows["service"] == ""].pivot_table(
        index="endpoint", columns="metric", values="value", sort=False
    )
    # The total last, as locust prints it.
    order = [e for e in table.index if e != AGGREGATED] + [AGGREGATED]
    lines = [
        f"  {'endpoint':<32} {'req/s':>8} {'failed':>7}"
        + "".join(f" {name:>7}" for name in ("p50 ms", "p95 ms", "p99 ms"))
    ]
    for endpoint in order:
        row = table.loc[endpoint]
        lines.append(
            f"  {endpoint[:32]:<32} {row['rps']:>8.1f} {row['failures']:>7.0f}"
            f" {_ms(row['p50_ms'])} {_ms(row['p95_ms'])} {_ms(row['p99_ms'])}"
        )
    return "\n".join(lines)


def cpu_text(per_service: dict[str, float]) -> str:
    servers = {s: v for s, v in per_service.items() if s not in ("locust", "other")}
    parts = [f"{s} ({PROGRAMS.get(s, s)}) {v:.2f}" for s, v in servers.items()]
    if servers:
        parts.append(f"server {sum(servers.values()):.2f}")
    parts.append(f"locust {per_service['locust']:.2f}")
    if "other" in per_service:
        parts.append(f"rest of the machine {per_service['other']:.2f}")
    return "CPU ms per request: " + ", ".join(parts)


def hashes_text(rows: pd.DataFrame, run: dict) -> str:
    """The server's CPU per request with the logins' password hashes taken out
    (workshop/bench/logins.py): what compares between stages."""
    cpu = cpu_table_hashes_apart(rows).iloc[0]
    return (
        f"of which password hashes {cpu['password hashes']:.2f} ({run['logins']:.0f} logins,"
        f" {run['login_hash_ms']:.0f} ms each): server without them"
        f" {cpu['server without hashes']:.2f}"
    )


def headlines_text(results: pd.DataFrame) -> str:
    lines = ["Headlines"]
    ceiling = _aggregated(results, "ceiling", "rps")
    if ceiling:
        lines.append(f"  locust's ceiling here (static file): {ceiling:,.0f} req/s")
    if {"product-cached", "product-uncached"} <= set(results["profile"]):
        lines.append("  " + cached_text(results))
    if "spike" in set(results["profile"]):
        lines.append("  " + spike_text(results))
        if _aggregated(results, "spike", "worst_p95_ms") is not None:
            lines.append("  " + spike_p95_text(results))
    return "\n".join(lines)


def cached_text(results: pd.DataFrame) -> str:
    if metric(results, "cpu_ms_per_request", service="app").empty:
        return "cached vs uncached product page: server CPU not measured"
    server = cpu_table(results)["server"].droplevel("stage")
    cached, uncached = server["product-cached"], server["product-uncached"]
    verdict = "within" if cached / uncached <= CACHED_TARGET else "above"
    return (
        f"product page server CPU: cached {cached:.2f} ms, uncached {uncached:.2f} ms per request;"
        f" ratio {cached / uncached:.2f} ({verdict} the target of 1/3)"
    )


def spike_text(results: pd.DataFrame) -> str:
    run = _run_values(results[results["profile"] == "spike"])
    peak = f"peak {run['users']:.0f} users"
    if not run.get("broke"):
        return f"spike ({peak}): never failed, p95 stayed under {P95_LIMIT_MS / 1000:g} s"
    limit = f"p95 passed {P95_LIMIT_MS / 1000:g} s"
    cause = "requests failed" if run["break_by_failures"] else limit
    return (
        f"spike ({peak}): broke {run['break_t_s']:.0f} s in, at {run['break_users']:.0f} users"
        f" ({cause})"
    )


def spike_p95_text(results: pd.DataFrame) -> str:
    """The worst p95 over a few seconds, of every request and of the safe pages alone
    (what stage 02 serves from files): the crowd can be served while the rest queues."""
    run = _run_values(results[results["profile"] == "spike"])
    return (
        f"spike's worst p95 over 3 s: every request {_seconds(run['worst_p95_ms'])},"
        f" safe pages {_seconds(run['worst_safe_p95_ms'])}"
        " (home, plain category listings, product pages, no session)"
    )


def _seconds(ms) -> str:
    return "-" if ms is None or math.isnan(ms) else f"{ms / 1000:.2f} s"


def _run_values(rows: pd.DataFrame) -> dict:
    run = rows[(rows["endpoint"] == AGGREGATED) & (rows["service"] == "")]
    return dict(zip(run["metric"], run["value"], strict=True))


def _aggregated(results: pd.DataFrame, profile: str, name: str) -> float | None:
    rows = metric(results, name, profile=profile, endpoint=AGGREGATED)
    return float(rows["value"].iloc[0]) if not rows.empty else None


def _ms(value) -> str:
    return f"{'-':>7}" if value is None or math.isnan(value) else f"{value:>7.0f}"
