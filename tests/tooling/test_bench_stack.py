"""``bench`` end to end against stage 01's real native stack (nginx, gunicorn,
memcached, MariaDB) in a scratch run folder: the page-cost probes, a few seconds each."""

import os
import subprocess
import sys

import pytest

from workshop.bench.results import metric, results_read
from workshop.bench.runner import bench
from workshop.stack import Stack, StackError
from workshop.stack.ports import port_pick_free
from workshop.stages import stage_get
from workshop.testing.services import require

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    stack = Stack.for_stage(
        stage_get("01"), port=port_pick_free(), run_dir=tmp_path_factory.mktemp("run"), quiet=True
    )
    try:
        result = bench(stage_get("01"), choice="pages", seconds=4, stack=stack, progress="quiet")
    except StackError as error:
        require(f"stage 01's native stack: {error}")
    yield result, stack
    stack.down()


def per_request(result, name, profile, service):
    rows = metric(result.results, name, profile=profile, service=service)
    assert len(rows) == 1, f"one {name} row for {profile}/{service}"
    return float(rows["value"].iloc[0])


def test_bench_stops_the_stack_it_started(run):
    _, stack = run

    assert not stack.is_up()


def test_each_service_gets_its_cpu_per_request(run):
    result, _ = run
    for profile in ("ceiling", "product-cached", "product-uncached"):
        for service in ("web", "app", "cache", "db", "locust", "other"):
            assert per_request(result, "cpu_ms_per_request", profile, service) >= 0

    assert per_request(result, "cpu_ms_per_request", "product-uncached", "app") > 0.1


def test_a_cached_page_costs_the_app_server_less_than_a_fresh_render(run):
    result, _ = run
    cached = per_request(result, "cpu_ms_per_request", "product-cached", "app")
    fresh = per_request(result, "cpu_ms_per_request", "product-uncached", "app")

    assert cached < fresh


def test_cached_pages_send_no_query_to_the_database_and_fresh_ones_do(run):
    result, _ = run

    assert per_request(result, "db_selects_per_request", "product-cached", "db") == 0
    assert per_request(result, "db_selects_per_request", "product-uncached", "db") >= 1


def test_the_static_file_never_reaches_the_app_server(run):
    result, _ = run

    assert per_request(result, "cpu_ms_per_request", "ceiling", "app") < 0.01


def test_the_results_file_holds_what_the_run_returned(run):
    result, _ = run

    back = results_read(result.results_path)

    assert len(back) == len(result.results)
    assert set(back["profile"]) == {"ceiling", "product-cached", "product-uncached"}
    assert back["machine"].str.contains("cores").all()


def test_private_stacks_of_killed_runs_are_removed_and_live_ones_kept(tmp_path, monkeypatch):
    from workshop.bench import runner

    monkeypatch.setattr(runner, "BENCH_RUN_ROOT", tmp_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    killed = tmp_path / f"01_single_instance-{dead.pid}"
    alive = tmp_path / f"01_single_instance-{os.getpid()}"
    killed.mkdir(), alive.mkdir()

    runner._leftovers_remove(stage_get("01"), quiet=True)

    assert not killed.exists()
    assert alive.exists()
