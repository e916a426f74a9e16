"""One climb of the capacity ladder: users rise in steps until the promise breaks, then
the steps between the last kept and the first broken are tried, and the capacity is the
largest number of users kept.

One locust process runs the whole climb (workshop/load/capacity.py); the bench says how
many users there are by writing the number to a file its shape reads every second, and
judges each step on the requests that ended in it (steps.py), after a few seconds for
the new users to arrive and the queue to settle. Users double from step to step until
the promise breaks; then two refinements at the geometric middle of the gap bring the
resolution to a factor of about 1.19. After a broken step the users go to zero for a
moment, so that the next step does not inherit its queue.

From cold, each step starts right after a deploy: memcached and the page files are
emptied (``caches_empty``) as the step begins, and the whole step is judged.
"""

import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from workshop.load.ladder_files import LOG_ENV, USERS_ENV

from .locust_run import _stop
from .steps import reading_take, requests_read, step_judge, step_line

LOCUSTFILE = Path(__file__).resolve().parent.parent / "load" / "capacity.py"
DRAIN_SECONDS = 5


@dataclass(frozen=True)
class Climb:
    step_seconds: float = 20
    settle_seconds: float = 5  # of each warm step, not judged
    start_users: int = 8
    growth: float = 2.0
    refinements: int = 2
    max_steps: int = 14
    max_users: int = 4000
    returning_sessions: int = 8  # the returning customers' logins, made before the climbs


def climb_short(seconds: float) -> Climb:
    """CI's short run (``WORKSHOP_BENCH_SECONDS`` of a few seconds): every part of the
    climb runs once, its figures are not the point."""
    return Climb(
        step_seconds=seconds, settle_seconds=1, refinements=1, max_steps=2, returning_sessions=2
    )


def users_next(users: int, kept: int, broken: int | None, climb: Climb, refined: int):
    """The next step's users, or None when the climb is over."""
    if broken is None:
        return (
            min(climb.max_users, math.ceil(users * climb.growth))
            if users < climb.max_users
            else None
        )
    if not kept or refined >= climb.refinements:
        return None
    middle = round(math.sqrt(kept * broken))
    return middle if kept < middle < broken else None


def climb_run(target, *, label: str, cold: bool, climb: Climb, folder: Path, env, caches_empty):
    """The steps of one climb, each a dict (steps.py's figures, users, kept, counts)."""
    users_file, log_path = folder / "users", folder / "requests.csv"
    users_file.write_text("0")
    env = dict(env, **{USERS_ENV: str(users_file), LOG_ENV: str(log_path)})
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--host", target.url, "--loglevel", "WARNING", "--only-summary",
    ]  # fmt: skip
    with (folder / "locust.log").open("w") as log:
        locust = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        return list(
            _steps(target, locust.pid, label, cold, climb, users_file, log_path, caches_empty)
        )
    finally:
        _stop(locust.pid)


def _steps(target, locust_pid, label, cold, climb, users_file, log_path, caches_empty):
    users, kept, broken, refined = climb.start_users, 0, None, 0
    for number in range(1, climb.max_steps + 1):
        if cold:
            caches_empty()
        row = _step(target, locust_pid, users, cold, climb, users_file, log_path)
        row |= {"step": number, "users": users}
        print(step_line(f"{label} step {number:2d}", users, row), flush=True)
        yield row
        if not row["counts"]:
            return  # the machine ran out: higher steps would measure it, not the shop
        if broken is not None:
            refined += 1
        if row["kept"]:
            kept = users
        else:
            broken = users
            users_file.write_text("0")  # the next step must not inherit this one's queue
            time.sleep(DRAIN_SECONDS)
        users = users_next(users, kept, broken, climb, refined)
        if users is None:
            return


def _step(target, locust_pid, users, cold, climb, users_file, log_path) -> dict:
    users_file.write_text(str(users))
    started = time.time()
    settle = 0 if cold else climb.settle_seconds
    time.sleep(settle)
    before = reading_take(time.time(), target.service_pids(), locust_pid)
    time.sleep(climb.step_seconds - settle)
    after = reading_take(time.time(), target.service_pids(), locust_pid)
    time.sleep(1.5)  # locust writes its log once a second
    requests = requests_read(log_path, before.at if not cold else started, after.at)
    return step_judge(requests, before, after, os.cpu_count() or 1)
