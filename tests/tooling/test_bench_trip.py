"""A shopper's trip in one process (workshop/bench/experiments/trip.py) on the real stacks of stages
02 and 03: every request of the trip is counted, and stage 03 reads from the database
what stage 02 kept in a file on its one server."""

import pytest

from workshop.bench.experiments.trip import LOGIN, TOTAL, trip_costs
from workshop.bench.runner import private_stack
from workshop.load.shopmap import SESSION
from workshop.stack import StackError
from workshop.stages import stage_get
from workshop.testing.services import require

pytestmark = pytest.mark.stack
TRIPS = 2
PAGE_WITH_SESSION = f"GET /p/[slug]/{SESSION}"


@pytest.fixture(scope="module")
def costs():
    tables = {}
    for number in ("02", "03"):
        try:
            with private_stack(stage_get(number), quiet=True) as stack:
                tables[number] = trip_costs(stack, trips=TRIPS)
        except StackError as error:
            require(f"stage {number}'s native stack: {error}")
    return tables


def test_each_request_of_a_trip_is_counted_once_per_trip(costs):
    table = costs["03"]
    requests = table.drop(index=TOTAL)["requests"]
    assert len(requests) == 12 and (requests == TRIPS).all()
    assert table.loc[TOTAL, "requests"] == TRIPS * 11  # all but the login


def test_a_page_with_a_session_reads_the_session_and_the_cart_in_stage_03(costs):
    """Stage 02 read both from a file: stage 03 runs two statements more for the page."""
    before, after = (costs[n].loc[PAGE_WITH_SESSION, "statements"] for n in ("02", "03"))
    assert after == before + 2


def test_the_login_is_a_password_hash_and_stays_out_of_the_total(costs):
    for table in costs.values():
        assert table.loc[LOGIN, "cpu_ms"] > 100  # PBKDF2: about a quarter of a second
        assert table.loc[TOTAL, "cpu_ms"] < table.loc[LOGIN, "cpu_ms"] / 10
