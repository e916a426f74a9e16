"""One headless locust run in its own process, with progress while it goes.

A subprocess, not locust's library API: locust patches the standard library for
gevent when imported, which the rest of the workshop must not inherit, and its own
CPU time is then measured exactly, by waiting for it with wait4().
"""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .locust_csv import history_latest
from .profiles import Profile
from .progress import Progress

# Beyond its own -t, locust needs a few seconds to start and to stop its users.
GRACE_SECONDS = 30
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class LocustRun:
    prefix: Path  # of the CSV files
    cpu_seconds: float  # the locust process's own user + system time
    exit_code: int


def locust_command(
    profile: Profile, *, host: str, users: int, seconds: int, prefix, extra=()
) -> list:
    """The headless run; ``extra``: more of locust's options (the drill's --stop-timeout)."""
    # Users start over the first tenth of the run, not in one burst.
    spawn_rate = max(1.0, users / max(1.0, seconds / 10))
    return [
        sys.executable, "-m", "locust",
        "-f", str(profile.path),
        "--headless", "--host", host,
        "--users", str(users), "--spawn-rate", f"{spawn_rate:g}", "--run-time", f"{seconds}s",
        "--csv", str(prefix), "--csv-full-history", "--only-summary",
        "--loglevel", "WARNING",
        *extra,
        *profile.user_classes,
    ]  # fmt: skip


def locust_run(profile, *, host, users, seconds, prefix, env, progress: Progress) -> LocustRun:
    command = locust_command(profile, host=host, users=users, seconds=seconds, prefix=prefix)
    log_path = Path(f"{prefix}_locust.log")
    with log_path.open("w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    started = time.monotonic()

    def tick():
        progress.update(time.monotonic() - started, history_latest(prefix))

    try:
        status, rusage = _wait(process.pid, deadline=started + seconds + GRACE_SECONDS, tick=tick)
    except BaseException:
        _stop(process.pid)
        raise
    finally:
        process.returncode = -1  # reaped here, by wait4: Popen must not wait again
    progress.done(history_latest(prefix))
    exit_code = os.waitstatus_to_exitcode(status)
    # locust exits with 1 when any request failed: a result, not an error.
    if exit_code not in (0, 1) or not Path(f"{prefix}_stats.csv").exists():
        tail = log_path.read_text()[-2000:]
        raise RuntimeError(f"locust {profile.name} exited with {exit_code}:\n{tail}")
    return LocustRun(Path(prefix), rusage.ru_utime + rusage.ru_stime, exit_code)


def _wait(pid, *, deadline, tick):
    """Wait for our locust, calling ``tick`` meanwhile; (status, rusage) at its end."""
    while True:
        done, status, rusage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, rusage
        if time.monotonic() > deadline:
            raise TimeoutError(f"locust (pid {pid}) still running past its run time")
        tick()
        time.sleep(POLL_SECONDS)


def _stop(pid) -> None:
    """Stop the locust we started (and only it), then reap it."""
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
