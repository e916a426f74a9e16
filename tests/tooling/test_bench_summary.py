"""The summary ``workshop bench`` prints: the figures a person reads first."""

import pandas as pd

from workshop.bench.reporting.summary import cached_text, cpu_text, spike_p95_text, spike_text
from workshop.bench.results import per_request_rows, results_frame, run_rows


def test_cpu_names_each_service_with_its_program_and_adds_up_the_server():
    text = cpu_text({"web": 0.1, "app": 0.8, "cache": 0.1, "db": 0.0, "locust": 0.7, "other": 2})

    assert text == (
        "CPU ms per request: web (nginx) 0.10, app (gunicorn) 0.80, cache (memcached) 0.10, "
        "db (mariadbd) 0.00, server 1.00, locust 0.70, rest of the machine 2.00"
    )


def test_cpu_against_a_url_is_locust_alone():
    assert cpu_text({"locust": 0.13}) == "CPU ms per request: locust 0.13"


def frame(profile, rows):
    return results_frame(rows, run="r", stage="01", profile=profile, machine="m")


def cpu_frame(profile, **ms_per_request):
    rows = per_request_rows(ms_per_request, 1000, metric="cpu_ms_per_request", scale=1000)
    return frame(profile, rows)


def test_the_cached_headline_gives_both_costs_and_judges_the_ratio():
    results = pd.concat(
        [
            cpu_frame("product-cached", app=1.0, locust=9.0),
            cpu_frame("product-uncached", app=2.5, locust=9.0),
        ]
    )

    assert cached_text(results) == (
        "product page server CPU: cached 1.00 ms, uncached 2.50 ms per request;"
        " ratio 0.40 (above the target of 1/3)"
    )


def test_the_spike_headline_says_when_and_at_how_many_users_it_broke():
    broke = frame(
        "spike", run_rows(users=2500, broke=1, break_t_s=27, break_users=1795, break_by_failures=1)
    )
    held = frame("spike", run_rows(users=300, broke=0))

    assert (
        spike_text(broke)
        == "spike (peak 2500 users): broke 27 s in, at 1795 users (requests failed)"
    )
    assert spike_text(held) == "spike (peak 300 users): never failed, p95 stayed under 2 s"


def test_the_spike_headline_puts_the_safe_pages_worst_p95_beside_every_requests():
    spike = frame("spike", run_rows(users=2500, worst_p95_ms=5321, worst_safe_p95_ms=48))

    assert spike_p95_text(spike) == (
        "spike's worst p95 over 3 s: every request 5.32 s, safe pages 0.05 s"
        " (home, plain category listings, product pages, no session)"
    )


def test_a_spike_without_a_safe_page_says_so_with_a_dash():
    spike = frame("spike", run_rows(users=10, worst_p95_ms=40, worst_safe_p95_ms=float("nan")))

    assert "safe pages - (" in spike_p95_text(spike)


def test_a_shoppers_run_says_where_its_selects_ran_and_how_many_orders_read_stale():
    from workshop.bench.reporting.summary import profile_text
    from workshop.bench.results import endpoint_rows
    from workshop.bench.runner import server_select_rows

    stats = pd.DataFrame(
        [{"endpoint": "Aggregated", "requests": 200, "failures": 0, "rps": 10.0,
          "p50_ms": 5.0, "p95_ms": 20.0, "p99_ms": 40.0, "avg_ms": 8.0}]
    )  # fmt: skip
    before = {"db": {"Com_select": 0}, "replica1": {"Com_select": 0}}
    after = {"db": {"Com_select": 100}, "replica1": {"Com_select": 300}, "replica2": {}}
    rows = endpoint_rows(stats) + run_rows(users=20, seconds=30)
    rows += server_select_rows(before, after, 200) + run_rows(orders_checked=12, stale_reads=1)

    text = profile_text(frame("shoppers", rows))

    assert "  SELECTs per request by server: db 0.50, replica1 1.50" in text.splitlines()
    assert "  stale reads: 1 of 12 new orders missing from My orders" in text.splitlines()


def shoppers_rows(**run) -> list[dict]:
    """A run of 1,000 requests on which the servers spent 15 ms each (locust 2 ms more)."""
    from workshop.bench.results import endpoint_rows

    stats = pd.DataFrame(
        [{"endpoint": "Aggregated", "requests": 1000, "failures": 0, "rps": 16.7,
          "p50_ms": 8.0, "p95_ms": 20.0, "p99_ms": 300.0, "avg_ms": 15.0}]
    )  # fmt: skip
    rows = endpoint_rows(stats) + run_rows(users=20, seconds=60, **run)
    spent = {"app": 14.0, "db": 1.0, "locust": 2.0}  # CPU seconds of the whole run
    return rows + per_request_rows(spent, 1000, metric="cpu_ms_per_request", scale=1000)


def test_a_run_with_logins_gives_the_servers_cpu_without_their_password_hashes():
    from workshop.bench.reporting.summary import profile_text

    text = profile_text(frame("shoppers", shoppers_rows(logins=20, login_hash_ms=250.0)))

    line = "  of which password hashes 5.00 (20 logins, 250 ms each): server without them 10.00"
    assert line in text.splitlines()


def test_a_run_without_logins_says_nothing_of_hashes():
    from workshop.bench.reporting.summary import profile_text

    assert "hashes" not in profile_text(frame("anonymous", shoppers_rows()))
