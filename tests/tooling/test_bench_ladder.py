"""The capacity ladder's arithmetic: the next step's users, a step's verdict from its
requests and CPU readings, each climb's capacity, and the table the ratios come from."""

import math
import os

import pandas as pd
import pytest

from workshop.bench.capacity import capacity_of, ladder_servers, pages_remove
from workshop.bench.ladder import Climb, users_next
from workshop.bench.logins import LOGIN
from workshop.bench.reporting.ladder import budget, ladder_ratios, ladder_table
from workshop.bench.steps import Reading, step_judge
from workshop.load.shopmap import STALE_READ
from workshop.stages import stage_get

CLIMB = Climb()


def test_users_double_until_the_promise_breaks_then_the_gap_is_halved_twice():
    assert users_next(8, kept=8, broken=None, climb=CLIMB, refined=0) == 16
    # 64 kept, 128 broke: the middle of the gap, geometrically.
    middle = users_next(128, kept=64, broken=128, climb=CLIMB, refined=0)
    assert middle == round(math.sqrt(64 * 128)) == 91
    assert users_next(91, kept=64, broken=91, climb=CLIMB, refined=1) == 76
    assert users_next(76, kept=76, broken=91, climb=CLIMB, refined=2) is None


def test_a_climb_whose_first_step_breaks_ends_there():
    assert users_next(8, kept=0, broken=8, climb=CLIMB, refined=0) is None


def test_a_climb_stops_at_its_most_users():
    climb = Climb(max_users=100)
    assert users_next(64, kept=64, broken=None, climb=climb, refined=0) == 100
    assert users_next(100, kept=100, broken=None, climb=climb, refined=0) is None


def requests(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["ended", "name", "ms", "error"])


def readings(machine_busy: float, seconds: float = 10.0) -> tuple[Reading, Reading]:
    before = Reading(at=0.0, services={"app": {1: 0.0}}, locust=0.0, machine=0.0)
    after = Reading(at=seconds, services={"app": {1: 2.5}}, locust=1.0, machine=machine_busy)
    return before, after


def pages(ms: float, count: int = 100) -> list:
    return [[1.0, "GET /p/[slug]/", ms, ""]] * count


def test_a_step_keeps_the_promise_when_its_p95s_are_in_bounds_and_nothing_failed():
    row = step_judge(requests([*pages(200), [1.0, LOGIN, 2500, ""]]), *readings(4.0), cores=2)

    assert row["kept"] and row["counts"]
    assert row["rps"] == 10.1
    assert row["app_cores"] == 0.25 and row["locust_cores"] == 0.1
    assert row["idle_share"] == pytest.approx(0.8)


@pytest.mark.parametrize(
    "extra, why",
    [
        (pages(1500, count=10), "pages p95 over 1 s"),
        ([[1.0, LOGIN, 3500, ""]], "login p95 over 3 s"),
        ([[1.0, "GET /", 10, "HTTPError 502"]], "a failed request"),
    ],
)
def test_a_step_breaks_the_promise(extra, why):
    row = step_judge(requests(pages(200, count=90) + extra), *readings(4.0), cores=2)
    assert not row["kept"], why


def test_a_stale_read_is_counted_apart_and_breaks_nothing():
    stale = [[1.0, "GET /p/[slug]/ (stock)", 20, f"{STALE_READ}: 5 in stock shown"]]
    row = step_judge(requests(pages(200) + stale), *readings(4.0), cores=2)
    assert row["kept"] and row["stale_reads"] == 1 and row["failures"] == 0


def test_a_step_where_the_machine_ran_out_does_not_count():
    row = step_judge(requests(pages(200)), *readings(19.5), cores=2)
    assert not row["counts"]


def test_a_climbs_capacity_is_its_most_users_kept_and_counted():
    steps = pd.DataFrame(
        {
            "stage": "01", "rung": "warm", "run": 1,
            "users": [8, 16, 32, 23, 27], "kept": [True, True, False, True, False],
            "counts": True,
        }
    )  # fmt: skip
    assert capacity_of(steps)["capacity"].tolist() == [23]
    steps.loc[steps["users"] == 23, "counts"] = False
    assert capacity_of(steps)["capacity"].tolist() == [16]


def test_the_ladders_budget_reads_each_stages_stack_toml():
    assert ladder_servers(stage_get("01")) is None  # its one app server
    assert ladder_servers(stage_get("03")) == 4
    assert budget(stage_get("01"), 1) == {
        "app servers": 1, "MariaDB servers": 1, "app cores": 0.25, "MariaDB cores": 0.25,
        "capped cores": 0.5,
    }  # fmt: skip
    assert budget(stage_get("05"), 4)["capped cores"] == 1.75


def test_a_ratio_counts_only_when_both_runs_meet_it():
    capacities = pd.DataFrame(
        {"stage": ["01", "01", "02", "02"], "rung": "warm", "run": [1, 2, 1, 2],
         "capacity": [60, 64, 160, 150]}
    )  # fmt: skip
    budgets = {n: budget(stage_get(n), 1) for n in ("01", "02")}
    table = ladder_table(capacities, budgets)

    assert table.loc["02", "warm (both runs)"] == 150
    assert table.loc["01", "warm users per core"] == 120
    ratios = ladder_ratios(table, {("warm", "02", "01"): 2.4})
    assert not ratios["met"].iloc[0]  # 150 / 64 = 2.34, though 160 / 60 = 2.67
    assert ladder_ratios(table, {("warm", "02", "01"): 2.3})["met"].iloc[0]


def test_page_files_go_even_while_a_server_writes_new_ones(tmp_path, monkeypatch):
    """The cold rung empties the page files while the crowd runs: a file written into a
    folder being removed (CI saw `Directory not empty`) must not stop the climb."""
    (tmp_path / "p" / "tv").mkdir(parents=True)
    (tmp_path / "p" / "tv" / "index.html").write_text("old")
    (tmp_path / "index.html").write_text("old")
    real_rmdir = os.rmdir

    def rmdir_while_written(path, *args, **kwargs):
        if str(path).endswith("tv") or path == "tv":  # a server writes the page again
            (tmp_path / "p" / "tv" / "index.html").write_text("new")
        return real_rmdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "rmdir", rmdir_while_written)
    pages_remove(tmp_path)

    assert not (tmp_path / "index.html").exists()
