"""A stage's warm-up before the crowd arrives: ``manage.py warm_pages``, from stage 02 on.

The team wrote the safe pages' files before the segment aired; ``bench`` does the same
before the spike, so that the spike measures the fix as it was used that night rather
than the first visitor of each page waiting for Django.
"""

import os
import subprocess
import sys
import time

from workshop.errors import WorkshopError

WARM_UP_COMMAND = "warm_pages"
# CI's short runs (`workshop notebooks --short`) check that every cell runs, not the
# figures: they set this to 0 and skip the warm-up, a minute or more of rendering 5,065
# pages for every stack with a spike. The stages' test_warm_pages.py tests the command.
WARM_UP_ENV = "WORKSHOP_BENCH_WARM_UP"


def warm_up_wanted() -> bool:
    return os.environ.get(WARM_UP_ENV, "1") != "0"


def warm_up_exists(stage) -> bool:
    """Whether one of the stage's apps has the warm-up management command."""
    return any(stage.path.glob(f"*/management/commands/{WARM_UP_COMMAND}.py"))


def pages_warm_all(stack) -> str:
    """``manage.py warm_pages`` against a running stack (runner.private_stack's, say):
    every safe page written to its file. Its closing line, and how long it took."""
    started = time.monotonic()
    output = manage_py(stack, WARM_UP_COMMAND)
    return f"{output.strip()} ({time.monotonic() - started:.0f} s)"


def manage_py(stack, *arguments: str) -> str:
    """Run the stage's ``manage.py`` with the stack's settings; its output, or a
    WorkshopError with the last line it wrote to stderr."""
    command = [sys.executable, str(stack.stage.path / "manage.py"), *arguments]
    env = stack.stage.env(**stack.env())
    done = subprocess.run(command, cwd=stack.stage.path, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        name = " ".join(arguments)
        raise WorkshopError(f"manage.py {name} failed (exit {done.returncode}): {last}")
    return done.stdout
