"""The figures reported from a run: the spike's breaking point, the safe pages' p95
beside everything else's, CPU per request per service and the cached-over-uncached
ratio."""

from pathlib import Path

import pandas as pd
import pytest

from workshop.bench.locust_csv import history_read
from workshop.bench.reporting.analysis import (
    breaking_point,
    cached_uncached_ratio,
    cpu_table,
    cpu_table_hashes_apart,
    endpoint_table,
    hashes_ms_per_request,
    p95_safe_and_rest,
    peak_served_rps,
)
from workshop.bench.results import (
    per_request_rows,
    results_frame,
    results_read,
    results_write,
    run_rows,
)

DATA = Path(__file__).parent / "data" / "locust"


def history(**columns) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    return frame.assign(t=range(len(frame)))


def test_the_spike_breaks_at_the_first_second_with_new_failures():
    point = breaking_point(history(users=[10, 50, 90, 90], failures=[0, 0, 3, 3], p95_ms=[5] * 4))

    assert point == {"t": 2.0, "users": 90, "cause": "failures"}


def test_the_spike_breaks_when_the_recent_p95_passes_two_seconds():
    point = breaking_point(history(users=[10, 50, 90], failures=[0, 0, 0], p95_ms=[20, 2000, 2100]))

    assert point == {"t": 2.0, "users": 90, "cause": "p95 over 2 s"}


def test_a_second_without_requests_is_not_slow_and_a_calm_run_never_breaks():
    point = breaking_point(history(users=[10, 10], failures=[0, 0], p95_ms=[None, 30]))

    assert point is None


def test_the_real_spike_against_stage_01_broke_when_its_surge_reached_2500_users():
    point = breaking_point(history_read(DATA / "spike"))

    assert point == {"t": 20.0, "users": 2500, "cause": "failures"}


def one_second(t, p95_ms_by_endpoint: dict) -> pd.DataFrame:
    rows = [{"t": t, "endpoint": e, "p95_ms": ms} for e, ms in p95_ms_by_endpoint.items()]
    return pd.DataFrame(rows)


def test_the_safe_pages_p95_is_their_slowest_endpoints_and_leaves_the_rest_out():
    """Safe: home, plain listing and product page without a session. A sorted listing,
    a search, a product page with a session and locust's total are not."""
    histories = one_second(7, {
        "GET /": 20, "GET /c/[slug]/": 45, "GET /p/[slug]/": 30,
        "GET /c/[slug]/?sort": 3000, "GET /search/": 2500, "GET /p/[slug]/ (session)": 4100,
        "Aggregated": 5000,
    })  # fmt: skip

    split = p95_safe_and_rest(histories).set_index("t")

    assert split.loc[7, ["safe_p95_ms", "other_p95_ms"]].to_dict() == {
        "safe_p95_ms": 45, "other_p95_ms": 4100,
    }  # fmt: skip


def test_the_session_p95_is_the_slowest_of_pages_with_a_session_carts_and_checkouts():
    """Stage 04's figure: the requests of a visitor with a session, not a sorted listing
    or a search without one, however slow they were."""
    histories = one_second(3, {
        "GET /p/[slug]/": 30, "GET /c/[slug]/?sort": 3000, "GET /search/": 2500,
        "GET /p/[slug]/ (session)": 400, "POST /checkout/": 900, "GET /cart/add/[id]/": 200,
        "GET /accounts/login/": 150, "GET /orders/[id]/": 120,
    })  # fmt: skip

    split = p95_safe_and_rest(histories).set_index("t")

    assert split.loc[3, "session_p95_ms"] == 900
    assert split.loc[3, "other_p95_ms"] == 3000


def test_a_second_in_which_no_safe_page_was_asked_for_has_no_safe_p95():
    """Locust writes a p95 of 0 for a window without requests: no figure, not a fast one."""
    histories = pd.concat([
        one_second(1, {"GET /": 12, "GET /search/": 900}),
        one_second(2, {"GET /": 0, "GET /search/": 1200}),
    ])  # fmt: skip

    split = p95_safe_and_rest(histories).set_index("t")

    assert split.loc[1, "safe_p95_ms"] == 12
    assert pd.isna(split.loc[2, "safe_p95_ms"])
    assert split["other_p95_ms"].tolist() == [900, 1200]


def test_a_run_without_safe_pages_still_gets_both_columns():
    split = p95_safe_and_rest(one_second(0, {"GET /static/shop/shop.css": 2}))

    assert list(split.columns) == ["t", "safe_p95_ms", "other_p95_ms", "session_p95_ms"]
    assert pd.isna(split["safe_p95_ms"].iloc[0])
    assert pd.isna(split["session_p95_ms"].iloc[0])


def cpu_results(stage, profile, **ms_per_request):
    requests = 1000
    spent = {service: ms * requests / 1000 for service, ms in ms_per_request.items()}
    rows = per_request_rows(spent, requests, metric="cpu_ms_per_request", scale=1000)
    return results_frame(rows, run="r", stage=stage, profile=profile, machine="m")


def test_server_cpu_adds_the_stack_services_but_not_locust_or_the_rest_of_the_machine():
    servers = {"web": 0.1, "app": 2.0, "cache": 0.2, "db": 0.7}
    results = cpu_results("01", "anonymous", **servers, locust=0.5, other=3)

    table = cpu_table(results)

    assert table.loc[("01", "anonymous"), "server"] == pytest.approx(3.0)


def test_the_cached_ratio_compares_server_cpu_per_stage():
    results = pd.concat([
        cpu_results("01", "product-cached", web=0.1, app=0.8, cache=0.1, locust=0.7),
        cpu_results("01", "product-uncached", web=0.1, app=2.4, db=0.5, locust=0.7),
        cpu_results("02", "product-cached", web=0.1, locust=0.4),
        cpu_results("02", "product-uncached", web=0.1, app=2.4, db=0.5, locust=0.7),
    ])  # fmt: skip

    ratio = cached_uncached_ratio(results)

    assert ratio["01"] == pytest.approx(1.0 / 3.0)
    assert ratio["02"] == pytest.approx(0.1 / 3.0)


def test_results_read_back_as_written(tmp_path):
    frame = cpu_results("01", "anonymous", app=2.0, locust=0.5)
    frame.loc[len(frame)] = ["r", "01", "anonymous", "GET /", "", "p95_ms", float("nan"), "m"]

    back = results_read(results_write(frame, tmp_path / "bench.csv"))

    assert list(back["stage"].unique()) == ["01"]  # a string, zero kept
    assert list(back["service"]) == ["app", "locust", ""]
    assert back["value"].isna().tolist() == [False, False, True]


def test_the_endpoint_table_lists_endpoints_by_name_and_their_total_last():
    rows = [
        {"endpoint": endpoint, "service": "", "metric": "rps", "value": 1.0}
        for endpoint in ("Aggregated", "GET /p/[slug]/", "GET /")
    ]
    results = results_frame(rows, run="r", stage="01", profile="anonymous", machine="m")

    table = endpoint_table(results, "anonymous")

    endpoints = list(table.index.get_level_values("endpoint"))
    assert endpoints == ["GET /", "GET /p/[slug]/", "Aggregated"]


def test_the_peak_rate_counts_answered_requests_while_the_most_users_were_on():
    spike = history(
        users=[100, 2500, 2500, 2500, 1000],
        rps=[900, 600, 700, 800, 400],  # the first second is the landing burst
        failures_per_s=[0, 0, 100, 200, 0],
    )

    assert peak_served_rps(spike) == 600


def run_results(stage, profile, **values):
    return results_frame(run_rows(**values), run="r", stage=stage, profile=profile, machine="m")


def test_the_logins_hashes_are_their_count_times_one_hash_over_the_runs_requests():
    results = pd.concat([
        run_results("02", "shoppers", requests=1000, logins=20, login_hash_ms=250.0),
        run_results("03", "shoppers", requests=500, logins=20, login_hash_ms=250.0),
        run_results("03", "anonymous", requests=900),
    ])  # fmt: skip

    hashes = hashes_ms_per_request(results)

    assert hashes[("02", "shoppers")] == pytest.approx(5.0)
    assert hashes[("03", "shoppers")] == pytest.approx(10.0)  # fewer requests, same logins
    assert hashes[("03", "anonymous")] == 0.0


def test_a_run_without_logins_has_no_hashes_to_take_out():
    hashes = hashes_ms_per_request(run_results("01", "anonymous", requests=900))

    assert hashes.to_dict() == {("01", "anonymous"): 0.0}


def test_the_hashes_move_out_of_the_apps_cpu_and_the_server_keeps_the_whole():
    results = pd.concat([
        cpu_results("03", "shoppers", app=14.0, db=1.0, locust=2.0),
        run_results("03", "shoppers", requests=1000, logins=20, login_hash_ms=250.0),
    ])  # fmt: skip

    row = cpu_table_hashes_apart(results).loc[("03", "shoppers")]

    assert row["app"] == pytest.approx(9.0)
    assert row["password hashes"] == pytest.approx(5.0)
    assert row["server"] == pytest.approx(15.0)
    assert row["server without hashes"] == pytest.approx(10.0)
