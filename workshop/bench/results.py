"""The tidy results of a benchmark: one row per stage, profile, endpoint, service and
metric, in results/ (ignored by git), with the machine stated in every row.

    run, stage, profile, endpoint, service, metric, value, machine

``service`` is empty for what locust saw (requests, latencies), and names the stack's
service (web, app, cache, db) or ``locust`` for CPU and database metrics, which are
measured per run and so carry the endpoint ``Aggregated``.
"""

from pathlib import Path

import pandas as pd

from workshop import ROOT

from .locust_csv import AGGREGATED

RESULTS_DIR = ROOT / "results"
COLUMNS = ["run", "stage", "profile", "endpoint", "service", "metric", "value", "machine"]
ENDPOINT_METRICS = ["requests", "failures", "rps", "p50_ms", "p95_ms", "p99_ms", "avg_ms"]


def endpoint_rows(stats: pd.DataFrame) -> list[dict]:
    """What locust measured, per endpoint and for all of them (``Aggregated``)."""
    return [
        {"endpoint": row["endpoint"], "service": "", "metric": metric, "value": row[metric]}
        for _, row in stats.iterrows()
        for metric in ENDPOINT_METRICS
    ]


def per_request_rows(spent: dict[str, float], requests: int, *, metric: str, scale=1.0):
    """``spent`` per service divided by the run's requests (times ``scale``)."""
    if not requests:
        return []
    return [
        {
            "endpoint": AGGREGATED,
            "service": service,
            "metric": metric,
            "value": v * scale / requests,
        }
        for service, v in spent.items()
    ]


def run_rows(**values) -> list[dict]:
    """Figures of the whole run (users, seconds, the spike's breaking point)."""
    return [
        {"endpoint": AGGREGATED, "service": "", "metric": metric, "value": value}
        for metric, value in values.items()
    ]


def results_frame(rows: list[dict], **constant) -> pd.DataFrame:
    """Rows plus the columns every row shares (run, stage, profile, machine)."""
    return pd.DataFrame([{**constant, **row} for row in rows], columns=COLUMNS)


def results_write(frame: pd.DataFrame, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def results_read(path: Path | str) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"stage": str}, keep_default_na=False, na_values=[""]).assign(
        service=lambda f: f["service"].fillna("")
    )


def metric(frame: pd.DataFrame, metric: str, **where) -> pd.DataFrame:
    """Rows of one metric, filtered by column values (``profile="spike"``)."""
    selected = frame[frame["metric"] == metric]
    for column, value in where.items():
        selected = selected[selected[column] == value]
    return selected
