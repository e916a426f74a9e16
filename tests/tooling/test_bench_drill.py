"""Stage 03's drill (workshop/bench/experiments/drill.py): its events fired in order at
their times on a clock of the test's own, put on the history's clock, and its count of
orders against checkouts. The drill itself runs in notebook 03, on the real stack."""

from pathlib import Path

import pandas as pd
import pytest

from workshop.bench.experiments.drill import (
    START_SERVERS,
    Event,
    events_play,
    failures_by_method,
    marks_on_clock,
    orders_account,
    servers_over_time,
)
from workshop.bench.locust_csv import histories_read, history_origin
from workshop.bench.locust_run import locust_command
from workshop.bench.profiles import PROFILES

DATA = Path(__file__).parent / "data" / "locust"


class FakeClock:
    """Time passes only when the drill waits (a second at a time) or acts."""

    def __init__(self, start: float = 1000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def wait(self) -> None:
        self.now += 1.0


def play(events, *, seconds=100, act_takes=0.0, running=lambda: True, seen=None):
    clock, done = FakeClock(), []

    def act(event):
        done.append((event.label, clock.now))
        clock.now += act_takes
        return seen(event, clock.now) if seen else []

    marks = events_play(
        events, seconds=seconds, act=act, clock=clock, wait=clock.wait, running=running
    )
    return done, marks


def test_each_event_fires_once_at_its_share_of_the_run_in_order_of_time():
    events = [Event(0.7, "scale", 2), Event(0.2, "kill", 1), Event(0.4, "scale", 4)]

    done, marks = play(events, seconds=100)

    assert done == [("kill -9 app1", 1020.0), ("scale to 4", 1040.0), ("scale to 2", 1070.0)]
    assert [mark["label"] for mark in marks] == ["kill -9 app1", "scale to 4", "scale to 2"]


def test_an_event_that_takes_time_is_marked_from_its_start_to_its_end_and_delays_the_next():
    events = [Event(0.1, "scale", 4), Event(0.2, "scale", 2)]

    done, marks = play(events, seconds=100, act_takes=15.0)

    assert marks[0] == {"label": "scale to 4", "start": 1010.0, "end": 1025.0}
    assert done[1] == ("scale to 2", 1025.0)  # due at 1020, the first still ran


def test_what_an_event_saw_is_marked_right_after_it():
    def restarted(event, now):
        return [{"label": "app1 restarted", "start": now, "end": now}]

    _, marks = play([Event(0.5, "kill", 1)], seconds=10, act_takes=2.0, seen=restarted)

    assert [mark["label"] for mark in marks] == ["kill -9 app1", "app1 restarted"]
    assert marks[1]["start"] == marks[0]["end"] == 1007.0


def test_no_event_fires_once_the_load_has_ended():
    clock_calls = iter(range(1000))
    events = [Event(0.1, "kill", 1), Event(0.9, "scale", 4)]

    done, _ = play(events, seconds=100, running=lambda: next(clock_calls) < 30)

    assert [label for label, _ in done] == ["kill -9 app1"]


def test_marks_go_on_the_clock_of_the_locust_history():
    origin = history_origin(DATA / "anonymous")
    marks = [{"label": "scale to 4", "start": 1795449182.5, "end": 1795449184.0}]

    on_clock = marks_on_clock(marks, origin)

    assert origin == 1795449180
    assert on_clock.iloc[0].to_dict() == {"label": "scale to 4", "start": 2.5, "end": 4.0}


@pytest.mark.parametrize(
    ("placed", "succeeded", "failed", "lost", "doubled"),
    [
        (12, 12, 0, 0, 0),  # one order per successful checkout
        (11, 12, 0, 1, 0),  # a checkout that succeeded without its order
        (13, 12, 0, 0, 1),  # one order too many
        (13, 12, 1, 0, 0),  # a failed checkout whose order was placed before the error
        (15, 12, 1, 0, 2),
    ],
)
def test_orders_are_counted_against_the_checkouts_locust_saw(
    placed, succeeded, failed, lost, doubled
):
    account = orders_account(placed=placed, succeeded=succeeded, failed_checkouts=failed)

    assert (account["lost"], account["doubled"]) == (lost, doubled)


def test_failures_per_second_are_summed_by_method_over_the_endpoints():
    histories = histories_read(DATA / "spike")  # Aggregated only: no method, no failures
    rows = pd.DataFrame(
        {
            "t": [1, 1, 1, 2, 2],
            "endpoint": ["GET /", "GET /p/[slug]/", "POST /checkout/", "GET /", "Aggregated"],
            "failures_per_s": [2.0, 1.0, 4.0, 0.0, 9.0],
        }
    )

    table = failures_by_method(pd.concat([histories[rows.columns], rows])).set_index("t")

    assert table.loc[1].to_dict() == {"get_failures_per_s": 3.0, "post_failures_per_s": 4.0}
    assert table.loc[2].to_dict() == {"get_failures_per_s": 0.0, "post_failures_per_s": 0.0}


def test_the_servers_change_when_each_scaling_has_finished():
    events = [Event(0.2, "kill", 1), Event(0.4, "scale", 4), Event(0.7, "scale", 2)]
    marks = pd.DataFrame(
        {
            "label": ["kill -9 app1", "app1 restarted", "scale to 4", "scale to 2"],
            "start": [18.0, 18.5, 36.0, 63.0],
            "end": [18.2, 18.5, 41.0, 65.0],
        }
    )

    steps = servers_over_time(marks, events)

    assert steps.to_dict("list") == {"t": [0.0, 41.0, 65.0], "servers": [START_SERVERS, 4, 2]}


def test_the_drills_locust_finishes_checkouts_under_way_before_it_stops():
    crowd = PROFILES["crowd"]
    command = locust_command(
        crowd, host="http://h", users=60, seconds=90, prefix="/r/c", extra=["--stop-timeout", "30"]
    )

    assert command[command.index("--stop-timeout") + 1] == "30"
    assert command[-2:] == ["Browser", "Buyer"]
