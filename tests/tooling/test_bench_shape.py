"""The TV spike's load shape: a quiet baseline, a surge of 10 to 20 times, a decay."""

import itertools

import pytest

from workshop.load.shape import AIRS, CALM, DECAY, PEAK, spike_users

SECONDS, TOP = 90, 1500


def users_at(share):
    return spike_users(share * SECONDS, seconds=SECONDS, peak=TOP)


def test_the_surge_is_ten_to_twenty_times_the_quiet_evening():
    baseline = users_at(0)

    assert 10 <= users_at((PEAK + DECAY) / 2) / baseline <= 20


def test_the_baseline_holds_until_the_segment_airs_and_returns_after_the_calm():
    baseline = users_at(0)

    assert users_at(AIRS - 0.01) == baseline
    assert users_at(CALM) == users_at(0.99) == baseline


def test_users_climb_to_the_peak_then_hold_it_while_the_segment_runs():
    climb = [users_at(AIRS + i * (PEAK - AIRS) / 10) for i in range(11)]

    assert climb == sorted(climb)
    assert climb[-1] == TOP
    assert users_at(PEAK) == users_at(DECAY - 0.01) == TOP


def test_viewers_leave_fast_at_first_then_slowly():
    decay = [users_at(DECAY + i * (CALM - DECAY) / 8) for i in range(8)]
    drops = [a - b for a, b in itertools.pairwise(decay)]

    assert drops == sorted(drops, reverse=True)
    assert all(drop > 0 for drop in drops)


@pytest.mark.parametrize("seconds", [15, 90, 900])
def test_the_shape_scales_with_the_run(seconds):
    at = [spike_users(share * seconds, seconds=seconds, peak=TOP) for share in (0.1, 0.45, 0.7)]

    assert at == [users_at(0.1), users_at(0.45), users_at(0.7)]
