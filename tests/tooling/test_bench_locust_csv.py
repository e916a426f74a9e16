"""Reading locust's CSV statistics: small real files from runs against stage 01 (the
spike's history keeps only its Aggregated rows)."""

import shutil
from pathlib import Path

import pytest

from workshop.bench.locust_csv import histories_read, history_latest, history_read, stats_read

DATA = Path(__file__).parent / "data" / "locust"


def test_stats_name_each_endpoint_by_method_and_url_pattern_and_end_with_the_total():
    stats = stats_read(DATA / "anonymous")

    assert list(stats["endpoint"]) == [
        "GET /", "GET /c/[slug]/", "GET /p/[slug]/", "GET /static/shop/shop.css", "Aggregated",
    ]  # fmt: skip
    total = stats.set_index("endpoint").loc["Aggregated"]
    assert total["requests"] == 24
    assert total["failures"] == 0
    assert total["p50_ms"] == 6 and total["p95_ms"] == 18 and total["p99_ms"] == 19
    assert total["rps"] == pytest.approx(7.532, abs=0.001)


def test_the_endpoints_add_up_to_the_aggregated_row():
    stats = stats_read(DATA / "spike").set_index("endpoint")
    endpoints = stats.drop(index="Aggregated")

    assert endpoints["requests"].sum() == stats.loc["Aggregated", "requests"] == 29176
    assert endpoints["failures"].sum() == stats.loc["Aggregated", "failures"] == 3451


def test_history_keeps_one_endpoint_and_counts_seconds_from_the_start():
    history = history_read(DATA / "anonymous")

    assert list(history["t"]) == [0, 1, 2, 3, 4]
    assert list(history["users"]) == [0, 6, 6, 6, 6]
    assert list(history["requests"]) == [0, 18, 19, 23, 24]


def test_an_endpoints_history_counts_seconds_from_the_start_of_the_run():
    """Its first row comes with its first request, a second in: t is the run's clock."""
    product = history_read(DATA / "anonymous", endpoint="GET /p/[slug]/")

    assert list(product["t"]) == [1, 2, 3, 4]
    assert list(product["p95_ms"]) == [17, 17, 17, 6]


def test_histories_hold_every_endpoint_on_the_same_clock():
    histories = histories_read(DATA / "anonymous")

    assert sorted(histories["endpoint"].unique()) == [
        "Aggregated", "GET /", "GET /c/[slug]/", "GET /p/[slug]/", "GET /static/shop/shop.css",
    ]  # fmt: skip
    product = histories[histories["endpoint"] == "GET /p/[slug]/"].reset_index(drop=True)
    assert product.drop(columns="endpoint").equals(
        history_read(DATA / "anonymous", endpoint="GET /p/[slug]/")
    )


def test_history_rates_are_the_totals_differences_second_by_second():
    history = history_read(DATA / "anonymous")

    assert list(history["rps"]) == [0, 18, 1, 4, 1]


def test_history_percentiles_before_the_first_request_are_missing_not_zero():
    history = history_read(DATA / "anonymous")

    assert history["p95_ms"].isna().iloc[0]
    assert history["p95_ms"].iloc[1] == 19


def test_history_rates_divide_by_the_real_gap_when_locust_skipped_a_second():
    history = history_read(DATA / "spike").set_index("t")

    assert 29 not in history.index  # locust, busy with 2,500 users, wrote no row then
    gap = history.loc[30, "requests"] - history.loc[28, "requests"]
    assert history.loc[30, "rps"] == gap / 2


def test_latest_progress_ignores_a_row_still_being_written(tmp_path):
    prefix = tmp_path / "run"
    history = (DATA / "anonymous_stats_history.csv").read_text()
    cut = history.rindex("Aggregated") + 20  # in the middle of the last Aggregated row
    Path(f"{prefix}_stats_history.csv").write_text(history[:cut])

    latest = history_latest(prefix)

    assert latest == {"users": 6, "rps": 18.0, "requests": 23, "failures": 0}


def test_latest_progress_is_none_before_locust_wrote_a_row(tmp_path):
    prefix = tmp_path / "run"
    assert history_latest(prefix) is None
    shutil.copy(DATA / "anonymous_stats_history.csv", f"{prefix}_stats_history.csv")
    header = Path(f"{prefix}_stats_history.csv").read_text().splitlines()[0]
    Path(f"{prefix}_stats_history.csv").write_text(header + "\n")
    assert history_latest(prefix) is None
