"""A stage's warm-up before the crowd arrives: ``manage.py warm_pages``, from stage 02 on.

The team wrote the safe pages' files before the segment aired; ``bench`` does the same
before the spike, so that the spike measures the fix as it was used that night rather
than the first visitor of each page waiting for Django.
"""

import subprocess
import sys
import time

from workshop.errors import WorkshopError

WARM_UP_COMMAND = "warm_pages"


def warm_up_exists(stage) -> bool:
    """Whether one of the stage's apps has the warm-up management command."""
    return any(stage.path.glob(f"*/management/commands/{WARM_UP_COMMAND}.py"))


def pages_warm_all(stack) -> str:
    """``manage.py warm_pages`` against a running stack (runner.private_stack's, say):
    every safe page written to its file. Its closing line, and how long it took."""
    command = [sys.executable, str(stack.stage.path / "manage.py"), WARM_UP_COMMAND]
    env = stack.stage.env(**stack.env())
    started = time.monotonic()
    done = subprocess.run(command, cwd=stack.stage.path, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise WorkshopError(f"manage.py {WARM_UP_COMMAND} failed (exit {done.returncode}): {last}")
    return f"{done.stdout.strip()} ({time.monotonic() - started:.0f} s)"
