"""Progress while locust runs: in place at a terminal, sparse lines elsewhere."""

import io

from workshop.bench.progress import Progress, progress_text

LATEST = {"users": 120, "rps": 48.4, "requests": 960, "failures": 2}


def test_the_text_says_time_users_rate_and_failures():
    text = progress_text("anonymous", 20.2, 30, LATEST)

    assert text == "anonymous:  20/30 s · 120 users · 48 req/s · 960 requests, 2 failed"


def test_a_terminal_line_is_rewritten_in_place_and_ended_once():
    stream = io.StringIO()
    progress = Progress("spike", 30, mode="terminal", stream=stream)

    progress.update(1, None)
    progress.update(2, LATEST)
    progress.done(LATEST)

    assert stream.getvalue().count("\r") == 3
    assert stream.getvalue().count("\n") == 1


def test_elsewhere_a_line_every_fifteen_seconds_and_one_at_the_end():
    stream = io.StringIO()
    progress = Progress("spike", 40, mode="lines", stream=stream)

    for second in range(41):
        progress.update(second, LATEST)
    progress.done(LATEST)

    lines = stream.getvalue().splitlines()
    assert [line.split("/")[0] for line in lines] == ["spike:  15", "spike:  30", "spike:  40"]


def test_quiet_progress_prints_nothing():
    stream = io.StringIO()
    progress = Progress("spike", 10, mode="quiet", stream=stream)

    progress.update(9, LATEST)
    progress.done(LATEST)

    assert stream.getvalue() == ""
