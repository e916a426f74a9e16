"""Stage 04's full rebuild, timed: every safe page rebuilt after the skeletons are
flushed (level one warm) and after the whole cache is (cold), in turns on one stack.

``manage.py rebuild_pages`` does each rebuild and times it inside Django, so the
figures leave out the start of the Python process that runs it.
"""

import re

import pandas as pd

from ..warmup import manage_py

COMMAND = "rebuild_pages"
_SECONDS = re.compile(r"in ([\d.]+) s")


def rebuilds_time(stack, *, rounds: int = 3) -> pd.DataFrame:
    """One row per rebuild: the round, the flush ("all": a cold cache, "skeletons":
    level one warm) and the seconds it took. Cold first in each round, so that each
    warm rebuild reads the level one that the cold one before it filled."""
    rows = []
    for round_ in range(1, rounds + 1):
        for flush in ("all", "skeletons"):
            output = manage_py(stack, COMMAND, "--flush", flush)
            match = _SECONDS.search(output)
            if not match:
                raise RuntimeError(f"manage.py {COMMAND} said no time: {output.strip()!r}")
            rows.append({"round": round_, "flush": flush, "seconds": float(match.group(1))})
    return pd.DataFrame(rows)
