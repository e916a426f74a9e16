"""Stage 03's scaling figures (workshop/bench/experiments/servers.py): one profile's runs at several
numbers of app servers, as ratios to one server and to the ideal line."""

import pandas as pd
import pytest

from workshop.bench.experiments.servers import by_servers, scaling_table
from workshop.bench.results import per_request_rows, results_frame, run_rows


def run(servers: int, *, rps: float, locust_ms: float, busy: float) -> pd.DataFrame:
    """The rows servers_bench writes for one run, reduced to what the table reads."""
    cpu = {"app": 8.0, "locust": locust_ms}
    rows = [
        {"endpoint": "Aggregated", "service": "", "metric": "rps", "value": rps},
        {"endpoint": "Aggregated", "service": "", "metric": "p95_ms", "value": 100.0 * servers},
        *per_request_rows(cpu, 1, metric="cpu_ms_per_request"),
        *run_rows(app_servers=servers, machine_busy=busy),
    ]
    return results_frame(rows, run=f"03-x-{servers}servers", stage="03", profile="rendered")


@pytest.fixture
def results():
    return pd.concat(
        [
            run(1, rps=40.0, locust_ms=1.0, busy=0.30),
            run(2, rps=76.0, locust_ms=1.0, busy=0.50),
            run(4, rps=130.0, locust_ms=2.0, busy=0.95),
        ],
        ignore_index=True,
    )


def test_each_metric_is_read_per_number_of_servers(results):
    rps = by_servers(results, "rps", endpoint="Aggregated", service="")

    assert rps.to_dict() == {1: 40.0, 2: 76.0, 4: 130.0}


def test_rates_are_ratios_to_one_server_and_to_n_times_one_server(results):
    table = scaling_table(results, cores=2)

    assert table["ratio to 1 server"].tolist() == pytest.approx([1.0, 1.9, 3.25])
    assert table["of ideal"].tolist() == pytest.approx([1.0, 0.95, 0.8125])


def test_locusts_share_and_the_idle_cores_come_from_cpu_per_request_and_busy(results):
    table = scaling_table(results, cores=2)

    # 130 requests/s at 2 ms of locust's CPU each: 0.26 of a core; at 8 ms of the app
    # servers' each, 1.04 cores: four quarters of a core, all used.
    assert table.loc[4, "locust (cores)"] == pytest.approx(0.26)
    assert table.loc[4, "app servers (cores)"] == pytest.approx(1.04)
    assert table["idle cores"].tolist() == pytest.approx([1.4, 1.0, 0.1])
