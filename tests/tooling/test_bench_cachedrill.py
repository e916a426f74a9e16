"""The memcached drill's accounts: per phase and per second, from its requests."""

import matplotlib
import pandas as pd

from workshop.bench.experiments.cachedrill import PHASES, CacheDrill, phases_shortened
from workshop.bench.reporting.plots import plot_cache_drill

matplotlib.use("Agg")


def drill() -> CacheDrill:
    requests = pd.DataFrame(
        [
            (0.1, 0.05, 200, "product", "up"),
            (0.6, 0.07, 200, "search", "up"),
            (1.2, 0.20, 200, "product", "killed"),
            (1.5, 0.55, 500, "search", "killed"),
            (2.3, 0.60, 0, "listing", "frozen"),
        ],
        columns=["t", "seconds", "status", "kind", "phase"],
    )
    marks = pd.DataFrame(
        [("up", 0, 1), ("killed", 1, 2), ("frozen", 2, 3)], columns=["label", "start", "end"]
    )
    return CacheDrill(requests, marks, {"up": (10, 25), "killed": (None, None)})


def test_each_phase_counts_its_requests_errors_and_cache_hits():
    phases = drill().phases()

    assert phases["requests"].to_dict() == {"up": 2, "killed": 2, "frozen": 1}
    assert phases["5xx"].to_dict() == {"up": 0, "killed": 1, "frozen": 0}
    assert phases["no answer"].to_dict() == {"up": 0, "killed": 0, "frozen": 1}
    assert phases.loc["killed", "slowest (s)"] == 0.55
    assert phases.loc["up", "cache hits"] == 15
    assert pd.isna(phases.loc["killed", "cache hits"])  # memcached was not there to ask


def test_the_seconds_count_what_began_in_them():
    seconds = drill().per_second().set_index("t")

    assert seconds["requests"].to_dict() == {0: 2, 1: 2, 2: 1}
    assert seconds["5xx"].to_dict() == {0: 0, 1: 1, 2: 0}


def test_the_short_mode_shortens_every_phase_and_keeps_their_order():
    short = phases_shortened(3)

    assert [p.name for p in short] == [p.name for p in PHASES]
    assert max(p.seconds for p in short) == 3


def test_the_plot_shades_the_phases():
    figure = plot_cache_drill(drill(), title="drill")

    assert len(figure.axes) == 2
