"""Locust settings every profile shares; each locustfile imports this module.

Locust's CSV history is flushed every second (instead of every five), so that
``workshop bench`` can show progress while a run goes on; and its "current"
percentiles cover the last 3 s rather than 10, so that the history follows a spike
closely. Both are module globals that locust reads while it runs.

Locust rewrites its totals (``_stats.csv``, ``_failures.csv``) once a second while it
runs, and not once more when it stops: the requests of the last second, and those of the
users it waited for (``--stop-timeout``, the drill's shoppers finishing a checkout), would
be missing from them, though the servers did the work. ``totals_write`` writes them
again once every user has stopped.
"""

import csv

import locust.stats
from locust import events

locust.stats.CSV_STATS_FLUSH_INTERVAL_SEC = 1
locust.stats.CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW = 3


@events.quitting.add_listener
def totals_write(environment, **kwargs):
    prefix = getattr(environment.parsed_options, "csv_prefix", None)
    if not prefix:
        return
    stats = locust.stats.StatsCSV(environment, locust.stats.PERCENTILES_TO_REPORT)
    for suffix, write in [("stats", stats.requests_csv), ("failures", stats.failures_csv)]:
        with open(f"{prefix}_{suffix}.csv", "w", newline="") as file:
            write(csv.writer(file))
