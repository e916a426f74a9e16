"""Processes by pid, with psutil. PID 1 may not reap orphans on some machines (this
workshop's CI among them), so a zombie counts as gone: it holds no port and no memory."""

import contextlib
import time

import psutil


def process_alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def process_tree(pid: int) -> list[int]:
    """``pid`` and its living descendants (nginx's and gunicorn's workers)."""
    try:
        process = psutil.Process(pid)
        family = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []
    return [p.pid for p in family if process_alive(p.pid)]


def process_identity(pid: int) -> list:
    """[pid, start time]: tells a process from a later one that reuses its pid."""
    try:
        return [pid, psutil.Process(pid).create_time()]
    except psutil.NoSuchProcess:
        return [pid, 0]


def processes_wait_gone(pids, timeout: float) -> list[int]:
    """Wait until none of ``pids`` lives; the ones still alive."""
    deadline = time.monotonic() + timeout
    while True:
        alive = [pid for pid in pids if process_alive(pid)]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def processes_living(identities) -> list[int]:
    """The pids that are still the processes recorded (same pid, same start time)."""
    living = []
    for pid, created in identities:
        try:
            process = psutil.Process(pid)
            if abs(process.create_time() - created) < 0.01 and process_alive(pid):
                living.append(pid)
        except psutil.NoSuchProcess:
            pass
    return living


def processes_signal(pids, sig) -> None:
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            psutil.Process(pid).send_signal(sig)
