"""One step of the capacity ladder, judged on its own requests: did the shop keep its
promise to this many users, and did the machine have CPU to spare while it did?

The promise, the same for every stage: the 95th percentile of every page, cart and
checkout request at most 1 s, of the login request (a password hash: about 0.9 s alone
on a quarter of a core) at most 3 s, and no failed request. A stale read (a page older
than the visitor's own order or sale, which the shoppers check) is counted apart: it is
a lesson of its own (stages 02 and 05), not a missed promise of capacity.
"""

from dataclasses import dataclass

import pandas as pd

from workshop.load.shopmap import STALE_READ

from . import cpu
from .logins import LOGIN

PAGE_P95_MS, LOGIN_P95_MS = 1000, 3000
# A step where the machine had less than this idle measures the machine, not the shop.
MIN_IDLE_SHARE = 0.10


@dataclass(frozen=True)
class Reading:
    """What the CPU clocks said at a moment: each service's, locust's, the machine's."""

    at: float  # time.time()
    services: dict
    locust: float
    machine: float


def reading_take(at: float, service_pids: dict, locust_pid: int) -> Reading:
    return Reading(
        at=at,
        services=cpu.cpu_snapshot(service_pids),
        locust=cpu.process_cpu_seconds(locust_pid) or 0.0,
        machine=cpu.machine_busy_seconds(),
    )


def requests_read(log_path, start: float, end: float) -> pd.DataFrame:
    """The requests that ended between ``start`` and ``end`` (time.time())."""
    log = pd.read_csv(log_path, keep_default_na=False, on_bad_lines="skip")
    ended = pd.to_numeric(log["ended"], errors="coerce")
    return log[(ended >= start) & (ended < end)]


def step_judge(requests: pd.DataFrame, before: Reading, after: Reading, cores: int) -> dict:
    """The step's figures and verdicts: ``kept`` (the promise held), ``counts`` (the
    machine had CPU to spare, so the step measured the shop)."""
    seconds = after.at - before.at
    stale = requests["error"].str.startswith(STALE_READ)
    failed = (requests["error"] != "") & ~stale
    logins = requests["name"] == LOGIN
    page_p95 = _p95(requests.loc[~logins, "ms"])
    login_p95 = _p95(requests.loc[logins, "ms"])
    busy = (after.machine - before.machine) / (seconds * cores)
    row = {
        "requests": len(requests),
        "rps": len(requests) / seconds,
        "page_p95_ms": page_p95,
        "login_p95_ms": login_p95,
        "logins": int(logins.sum()),
        "failures": int(failed.sum()),
        "stale_reads": int(stale.sum()),
        "idle_share": max(0.0, 1 - busy),
        "locust_cores": (after.locust - before.locust) / seconds,
    }
    spent = cpu.cpu_spent(before.services, after.services)
    row |= {f"{service}_cores": value / seconds for service, value in spent.items()}
    row["kept"] = bool(
        len(requests)
        and page_p95 <= PAGE_P95_MS
        and (pd.isna(login_p95) or login_p95 <= LOGIN_P95_MS)  # no login in the step
        and row["failures"] == 0
    )
    row["counts"] = row["idle_share"] >= MIN_IDLE_SHARE
    return row


def _p95(values: pd.Series) -> float:
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    return float(numbers.quantile(0.95)) if len(numbers) else float("nan")


def step_line(label: str, users: int, row: dict) -> str:
    """One progress line per step."""
    login = row["login_p95_ms"]
    login_text = "no login" if pd.isna(login) else f"login p95 {login / 1000:.1f} s"
    verdict = "kept" if row["kept"] else "BROKEN"
    if not row["counts"]:
        verdict += ", but the machine ran out (does not count)"
    return (
        f"{label}: {users:5d} users · {row['rps']:6.1f} req/s · pages p95 "
        f"{row['page_p95_ms'] / 1000:5.2f} s · {login_text} · {row['failures']} failed · "
        f"idle {row['idle_share']:.0%} · locust {row['locust_cores']:.2f} cores → {verdict}"
    )
