"""Locust's CSV statistics (``--csv PREFIX --csv-full-history``) as pandas frames.

``PREFIX_stats.csv`` holds one row per endpoint for the whole run; the history,
``PREFIX_stats_history.csv``, one row per endpoint and second, whose percentiles
(with --csv-full-history) cover only the last ten seconds or so: they show a run
getting worse, where the whole-run figures would hide it.
"""

from pathlib import Path

import pandas as pd

AGGREGATED = "Aggregated"

_STATS_COLUMNS = {
    "Request Count": "requests",
    "Failure Count": "failures",
    "Requests/s": "rps",
    "Failures/s": "failures_per_s",
    "Average Response Time": "avg_ms",
    "50%": "p50_ms",
    "95%": "p95_ms",
    "99%": "p99_ms",
    "Max Response Time": "max_ms",
}
_HISTORY_COLUMNS = {
    "User Count": "users",
    "50%": "p50_ms",
    "95%": "p95_ms",
    "99%": "p99_ms",
    "Total Request Count": "requests",
    "Total Failure Count": "failures",
}


def endpoint_name(method, name) -> str:
    """``GET /p/[slug]/``, or ``Aggregated`` for locust's total row (no method)."""
    return f"{method} {name}" if isinstance(method, str) and method else name


def _with_endpoint(raw: pd.DataFrame) -> pd.DataFrame:
    endpoints = [endpoint_name(m, n) for m, n in zip(raw["Type"], raw["Name"], strict=True)]
    return raw.assign(endpoint=endpoints)


def stats_read(prefix: Path | str) -> pd.DataFrame:
    """One row per endpoint and one ``Aggregated``: requests, failures, rps, latencies."""
    raw = pd.read_csv(f"{prefix}_stats.csv", na_values=["N/A"])
    frame = _with_endpoint(raw).rename(columns=_STATS_COLUMNS)
    return frame[["endpoint", *_STATS_COLUMNS.values()]].reset_index(drop=True)


def failures_read(prefix: Path | str) -> pd.DataFrame:
    """Locust's ``PREFIX_failures.csv``: endpoint, error (the message), occurrences; no
    rows if the run had no failure (or locust wrote no file)."""
    try:
        raw = pd.read_csv(f"{prefix}_failures.csv")
    except (FileNotFoundError, pd.errors.EmptyDataError):
        return pd.DataFrame(columns=["endpoint", "error", "occurrences"])
    endpoints = [endpoint_name(m, n) for m, n in zip(raw["Method"], raw["Name"], strict=True)]
    errors, occurrences = raw["Error"].astype(str), raw["Occurrences"]
    return pd.DataFrame({"endpoint": endpoints, "error": errors, "occurrences": occurrences})


def history_read(prefix: Path | str, *, endpoint: str = AGGREGATED) -> pd.DataFrame:
    """One endpoint's rows, one a second: t (seconds from the start), users, the recent
    percentiles, the running totals of requests and failures, and both per second.

    Requests and failures per second come from the totals' differences, second by
    second: locust's own "current" rates are averages over the last ten seconds.
    """
    frame = _history_all(prefix)
    return _per_second(frame[frame["endpoint"] == endpoint])


def histories_read(prefix: Path | str) -> pd.DataFrame:
    """Every endpoint's rows (``Aggregated`` too), as history_read gives them, with an
    ``endpoint`` column; locust writes a row per endpoint with --csv-full-history."""
    frame = _history_all(prefix)
    parts = [
        _per_second(rows).assign(endpoint=endpoint)
        for endpoint, rows in frame.groupby("endpoint", sort=False)
    ]
    return pd.concat(parts, ignore_index=True)


def history_origin(prefix: Path | str) -> float:
    """The Unix time of the history's first second, its t = 0: events timed with
    time.time() during a run go on the history's clock by subtracting it."""
    return float(pd.read_csv(f"{prefix}_stats_history.csv")["Timestamp"].min())


def _history_all(prefix) -> pd.DataFrame:
    raw = pd.read_csv(f"{prefix}_stats_history.csv", na_values=["N/A"])
    frame = _with_endpoint(raw).rename(columns=_HISTORY_COLUMNS)
    # One clock for every endpoint: an endpoint's first row comes with its first
    # request, which may be well into the run.
    return frame.assign(t=frame["Timestamp"] - frame["Timestamp"].min())


def _per_second(frame: pd.DataFrame) -> pd.DataFrame:
    # Timestamps are whole seconds: a second written twice keeps its last row.
    frame = frame.drop_duplicates("t", keep="last")[["t", *_HISTORY_COLUMNS.values()]]
    seconds = frame["t"].diff()
    return frame.assign(
        rps=(frame["requests"].diff() / seconds).fillna(0.0),
        failures_per_s=(frame["failures"].diff() / seconds).fillna(0.0),
    ).reset_index(drop=True)


def history_latest(prefix: Path | str) -> dict | None:
    """The newest Aggregated row of a history that locust is still writing, for
    progress; None before the first complete row."""
    try:
        lines = Path(f"{prefix}_stats_history.csv").read_text().splitlines()
    except FileNotFoundError:
        return None
    if len(lines) < 2:
        return None
    header = lines[0].split(",")
    for line in reversed(lines[1:]):
        fields = line.split(",")
        if len(fields) == len(header) and fields[header.index("Name")] == AGGREGATED:
            row = dict(zip(header, fields, strict=True))
            return {
                "users": int(row["User Count"]),
                "rps": float(row["Requests/s"]),
                "requests": int(row["Total Request Count"]),
                "failures": int(row["Total Failure Count"]),
            }
    return None
