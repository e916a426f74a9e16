"""Bringing services up: supervisord starts them, the runner waits until each one
answers as its kind should."""

import time

from .errors import StackError
from .ports import port_is_free, port_owner

HEALTHY_WITHIN_SECONDS = 60
FAILED_STATES = {"EXITED", "FATAL", "BACKOFF", "STOPPED"}


def not_running(stack, kinds) -> list:
    processes = stack.supervisor.processes()
    return [k for k in kinds if processes.get(k.name, {}).get("statename") != "RUNNING"]


def services_start(stack, kinds) -> None:
    """Start those of ``kinds`` that are not running, together; return once all answer."""
    starting = not_running(stack, kinds)
    for kind in starting:
        if not port_is_free(kind.port):
            owner = port_owner(kind.port)
            raise StackError(f"port {kind.port} ({kind.name}) is taken by {owner}")
        stack.supervisor.start_program(kind.name)
    _wait_healthy(stack, starting)
    for kind in starting:
        kind.after_start()


def _wait_healthy(stack, kinds) -> None:
    waiting = list(kinds)
    deadline = time.monotonic() + HEALTHY_WITHIN_SECONDS
    while waiting:
        processes = stack.supervisor.processes()
        for kind in list(waiting):
            if processes.get(kind.name, {}).get("statename") in FAILED_STATES:
                raise StackError(f"{kind.name} stopped while starting: {kind.last_words()}")
            if kind.health() is None:
                stack.say(f"{kind.name}: {kind.instance.kind} on port {kind.port}")
                waiting.remove(kind)
        if waiting and time.monotonic() > deadline:
            why = "; ".join(_unhealthy_why(kind, processes) for kind in waiting)
            raise StackError(f"not healthy after {HEALTHY_WITHIN_SECONDS} s: {why}")
        time.sleep(0.05)


def _unhealthy_why(kind, processes) -> str:
    """What a server that never answered was doing: its port, what asking it gave,
    supervisord's state of it, and the last line it wrote."""
    state = processes.get(kind.name, {}).get("statename", "unknown to supervisord")
    return f"{kind.name} on port {kind.port} ({kind.health()}, {state}): {kind.last_words()}"
