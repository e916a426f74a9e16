"""Locust settings every profile shares; each locustfile imports this module.

Locust's CSV history is flushed every second (instead of every five), so that
``workshop bench`` can show progress while a run goes on; and its "current"
percentiles cover the last 3 s rather than 10, so that the history follows a spike
closely. Both are module globals that locust reads while it runs.
"""

import locust.stats

locust.stats.CSV_STATS_FLUSH_INTERVAL_SEC = 1
locust.stats.CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW = 3
