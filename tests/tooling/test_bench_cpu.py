"""CPU accounting per service, read from /proc, checked with real processes that burn
a known amount of CPU."""

import subprocess
import sys
import time

import pytest

from workshop.bench.cpu import (
    cpu_snapshot,
    cpu_spent,
    machine_busy_seconds,
    process_cpu_seconds,
)

BURN = 0.3  # CPU seconds each burner spends
BURNER = (
    f"import time\nstart = time.process_time()\nwhile time.process_time() - start < {BURN}: pass\n"
)
# A master that starts a worker, lets it burn, reaps it, then waits to be stopped: as
# gunicorn does with a worker it replaced.
MASTER = (
    "import subprocess, sys, time\n"
    "time.sleep(0.3)\n"
    f"subprocess.run([sys.executable, '-c', {BURNER!r}])\n"
    "print('reaped', flush=True)\n"
    "time.sleep(60)\n"
)


def burnt_wait(pid: int, timeout: float = 10) -> None:
    """Until the process ``pid`` has spent BURN seconds of CPU (a busy machine is slow)."""
    deadline = time.monotonic() + timeout
    while process_cpu_seconds(pid) < BURN and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
def spawn():
    started = []

    def start(code):
        process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()
        process.wait()


def test_a_worker_reaped_during_the_run_still_counts_for_its_service(spawn):
    master = spawn(MASTER)
    before = cpu_snapshot({"app": [master.pid]})
    assert master.stdout.readline() == "reaped\n"  # the worker came, burnt and went

    spent = cpu_spent(before, cpu_snapshot({"app": [master.pid]}))

    assert spent["app"] >= BURN * 0.9


def test_a_process_started_during_the_run_counts_from_zero(spawn):
    before = cpu_snapshot({"app": []})
    worker = spawn(BURNER + "import time; time.sleep(60)\n")
    burnt_wait(worker.pid)

    spent = cpu_spent(before, cpu_snapshot({"app": [worker.pid]}))

    assert BURN * 0.9 <= spent["app"] < BURN + 1


def test_services_are_counted_apart(spawn):
    # Each says when its interpreter has started (which costs CPU too), so that the idle
    # one is measured idle; the busy one then burns, and is waited for, on a busy machine.
    busy = spawn("print('ready', flush=True)\n" + BURNER + "import time; time.sleep(60)\n")
    idle = spawn("print('ready', flush=True)\nimport time; time.sleep(60)")
    for process in (busy, idle):
        assert process.stdout.readline() == "ready\n"
    pids = {"app": [busy.pid], "cache": [idle.pid]}
    before = cpu_snapshot(pids)
    burnt_wait(busy.pid)

    spent = cpu_spent(before, cpu_snapshot(pids))

    assert spent["app"] > BURN / 2
    assert spent["cache"] < 0.05


def test_spent_is_after_minus_before_whichever_processes_came_and_went():
    # Worker 2 burnt 1 s more and was reaped (its 6 s moved into master 1's children's
    # time); worker 3 was started and burnt 0.5 s.
    before = {"app": {1: 1.0, 2: 5.0}}
    after = {"app": {1: 7.0, 3: 0.5}}

    assert cpu_spent(before, after) == {"app": pytest.approx(1.5)}


def test_a_process_that_is_gone_has_no_reading(spawn):
    gone = spawn("pass")
    gone.wait()

    assert process_cpu_seconds(gone.pid) is None
    assert cpu_snapshot({"app": [gone.pid]}) == {"app": {}}


def test_the_machine_counts_at_least_the_cpu_this_process_burns():
    before = machine_busy_seconds()
    start = time.process_time()
    while time.process_time() - start < BURN:
        pass

    assert machine_busy_seconds() - before >= BURN * 0.9
