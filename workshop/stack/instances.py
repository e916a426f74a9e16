"""One service instance stopped, killed or started again by name while the rest of the
stack runs: the fault drills (kill a replica, bring it back) of the stack tests and the
notebooks. What an instance needs once it answers (a replica: point it at its primary
and replicate) runs as it does at `up`."""

import signal
import time

from .errors import StackError
from .processes import process_identity, process_tree, processes_signal, processes_wait_gone
from .starting import not_running, services_start


def instance_pid(stack, name: str) -> int | None:
    """The pid supervisord runs the instance as; None when it does not run."""
    stack.kind_of(name)  # a StackError naming the choices
    info = stack.supervisor.processes().get(name, {})
    if info.get("statename") != "RUNNING":
        return None
    return info.get("pid") or None


def instance_stop(stack, name: str) -> None:
    """Stop it as `down` would: its stop signal, then wait (a clean shutdown)."""
    stack.kind_of(name)  # a StackError naming the choices
    stack.supervisor.stop_program(name)


def instance_kill(stack, name: str) -> int:
    """kill -9 the instance and whatever it forked, as a machine that dies; its pid.
    Returns once the processes are gone and supervisord has seen it exit. An instance
    whose stack.toml says restart = true is started again by supervisord."""
    pid = instance_pid(stack, name)
    if pid is None:
        raise StackError(f"{name} does not run: nothing to kill")
    family = process_tree(pid)
    processes_signal(family, signal.SIGKILL)
    if processes_wait_gone(family, 10):
        raise StackError(f"{name} (pid {pid}) outlived kill -9")
    deadline = time.monotonic() + 10  # supervisord notices the exit within a moment
    while stack.supervisor.processes().get(name, {}).get("pid") == pid:
        if time.monotonic() > deadline:
            raise StackError(f"supervisord did not notice that {name} (pid {pid}) died")
        time.sleep(0.05)
    return pid


def instance_start(stack, name: str) -> None:
    """Start an instance that is not running and return once it answers (and, for a
    replica, replicates again)."""
    kind = stack.kind_of(name)
    with stack.run.lock():
        if not stack.supervisor.is_running():
            raise StackError(
                f"stage {stack.stage.number} is not up: workshop up {stack.stage.number}"
            )
        if not_running(stack, [kind]):
            services_start(stack, [kind])
        stack.run.state_update(pids=[process_identity(p) for p in stack.all_pids()])
