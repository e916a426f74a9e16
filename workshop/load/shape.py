"""The TV spike's shape as a plain function (no locust import), for spike.py and tests.

Every phase is a share of the run, so a short CI run keeps the same shape.
"""

import math

SURGE = 15  # peak users over baseline users
# Shares of the run: baseline until AIRS, a straight climb to the peak at PEAK, held
# until DECAY, falling away until CALM, then baseline to the end.
AIRS, PEAK, DECAY, CALM = 0.15, 0.35, 0.55, 0.9
DEFAULT_PEAK, DEFAULT_SECONDS = 2500, 90


def spike_users(elapsed: float, *, seconds: float, peak: int) -> int:
    """Users wanted ``elapsed`` seconds into a spike of ``seconds`` peaking at ``peak``."""
    baseline = max(1, round(peak / SURGE))
    share = elapsed / seconds
    if share < AIRS or share >= CALM:
        return baseline
    if share < PEAK:
        return baseline + round((peak - baseline) * (share - AIRS) / (PEAK - AIRS))
    if share < DECAY:
        return peak
    # Exponential decay: most viewers leave soon after the segment, a few linger.
    fallen = (share - DECAY) / (CALM - DECAY)
    return baseline + round((peak - baseline) * math.exp(-4 * fallen))
