"""The TV segment: ``locust -f workshop/load/spike.py --host URL -u PEAK -t SECONDS``.

A quiet evening, then the segment airs and viewers pour in: the users climb to
``-u`` (SURGE times the baseline), hold there while the segment runs, then drift
back. Nine browsers to one shopper, by the user classes' weights. Every phase is a
share of ``-t``, so a short CI run keeps the same shape.

The climb takes a fifth of the run rather than a second: still sudden (fifteen
times the visitors within 18 s of a 90 s run), but slow enough that the run shows
at how many users the shop gave way.
"""

from locust import LoadTestShape

from workshop.load.anonymous import AnonymousVisitor
from workshop.load.shape import DEFAULT_PEAK, DEFAULT_SECONDS, spike_users
from workshop.load.shoppers import Shopper

__all__ = ["AnonymousVisitor", "Shopper", "TVSpike"]

BASELINE_ARRIVAL_SECONDS = 5


class TVSpike(LoadTestShape):
    use_common_options = True  # -u is the peak, -t the whole run

    def tick(self):
        options = self.runner.environment.parsed_options
        seconds = options.run_time or DEFAULT_SECONDS
        peak = options.num_users or DEFAULT_PEAK
        elapsed = self.get_run_time()
        if elapsed >= seconds:
            return None
        users = spike_users(elapsed, seconds=seconds, peak=peak)
        if elapsed < BASELINE_ARRIVAL_SECONDS:
            # The evening's visitors arrive over its first seconds: all of them landing in
            # the first second (home page and stylesheet each) was a spike of its own.
            return users, max(1.0, users / BASELINE_ARRIVAL_SECONDS)
        # Then users start within a second of being wanted: the shape sets the pace.
        return users, float(peak)
