"""The figures the workshop reports, computed from a run's frames."""

import pandas as pd

from workshop.load.shopmap import ORDERS, SESSION, STALE_READ, STOCK_CHECK

from ..locust_csv import AGGREGATED
from ..results import metric

P95_LIMIT_MS = 2000  # a page that takes longer than this has lost the visitor
NOT_SERVER = ("locust", "other")  # the load generator; the rest of the machine
# The requests stage 02 can answer from its page files, as workshop/load/browsing.py
# names them: the home page, a category's plain listing, a product page, without a
# session. A sorted or paged listing (``?sort``), a search, a cart, or any page asked
# for with a session (``(session)``) is everything else: Django answers it.
SAFE_ENDPOINTS = ("GET /", "GET /c/[slug]/", "GET /p/[slug]/")
# The requests of a visitor with a session, whom stage 04's two passes are for: any page
# asked for with one (``(session)``), and the cart, the login, the checkout and the orders,
# which the shoppers only reach holding a cart.
SESSION_PATHS = ("/cart/", "/checkout/", "/orders/", "/accounts/")


def stale_reads(failures: pd.DataFrame) -> int:
    """How many times a shopper's check found a page older than a change just made
    (workshop/load/shoppers.py): the order just placed missing from My orders, or a
    product page showing the stock from before a sale. From locust's failures
    (``failures_read``)."""
    checks = failures["endpoint"].isin([f"GET {ORDERS}", f"GET {STOCK_CHECK}"])
    stale = checks & failures["error"].str.startswith(STALE_READ)
    return int(failures.loc[stale, "occurrences"].sum())


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


def p95_safe_and_rest(histories: pd.DataFrame) -> pd.DataFrame:
    """Second by second (t): the recent p95 of the safe pages (``safe_p95_ms``), of
    everything else (``other_p95_ms``), and of the requests with a session among the
    rest (``session_p95_ms``), from locust's per-endpoint history rows.

    Each is the slowest endpoint's p95 in its group: locust keeps no more than each
    endpoint's percentiles, and a group's p95 is never above its slowest endpoint's, so
    a fast figure for the safe pages is a safe claim.
    """
    rows = histories[histories["endpoint"] != AGGREGATED].reset_index(drop=True)
    # A zero is locust's p95 of a window without requests, not a fast page.
    rows = rows.assign(p95=rows["p95_ms"].where(rows["p95_ms"] > 0))
    safe = rows["endpoint"].isin(SAFE_ENDPOINTS)
    groups = {
        "safe_p95_ms": rows[safe],
        "other_p95_ms": rows[~safe],
        "session_p95_ms": rows[rows["endpoint"].map(with_session).astype(bool)],
    }
    seconds = pd.Index(sorted(rows["t"].unique()), name="t")
    table = pd.DataFrame(
        {name: group.groupby("t")["p95"].max().reindex(seconds) for name, group in groups.items()},
        index=seconds,
    )
    return table.reset_index()


def with_session(endpoint: str) -> bool:
    """Whether locust's endpoint ("GET /cart/", "GET /p/[slug]/ (session)") is a request
    of a visitor with a session."""
    path = endpoint.partition(" ")[2]
    return endpoint.endswith(SESSION) or path.startswith(SESSION_PATHS)


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


def hashes_ms_per_request(results: pd.DataFrame) -> pd.Series:
    """Per stage and profile: the CPU ms per request that the logins' password hashes
    account for (logins x one hash's CPU / requests; 0 without logins). See logins.py
    for why a comparison of stages takes them out."""
    rows = results[(results["endpoint"] == AGGREGATED) & (results["service"] == "")]
    run = rows.pivot_table(index=["stage", "profile"], columns="metric", values="value")
    if "logins" not in run.columns:
        return pd.Series(0.0, index=run.index)
    return (run["logins"] * run["login_hash_ms"] / run["requests"]).fillna(0.0)


def cpu_table_hashes_apart(results: pd.DataFrame) -> pd.DataFrame:
    """``cpu_table`` with the logins' password hashes taken out of ``app`` into a column
    of their own, ``password hashes``; ``server`` stays the whole, and ``server without
    hashes`` is what compares between stages."""
    table = cpu_table(results)
    hashes = hashes_ms_per_request(results).reindex(table.index).fillna(0.0)
    if "app" in table.columns:
        table["app"] -= hashes
    table["password hashes"] = hashes
    table["server without hashes"] = table["server"] - hashes
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
