"""Taking a stack down, and proving it: no process of it alive, no port of it open."""

import signal

from .errors import StackError
from .ports import ports_wait_closed
from .processes import process_identity, processes_living, processes_signal, processes_wait_gone


def stack_stop(stack) -> bool:
    """Stop every service and supervisord; False when nothing was running."""
    recorded = stack.run.state().pids
    current = [process_identity(pid) for pid in stack.all_pids()]
    if not recorded and not current:
        return False
    pids = processes_living(recorded + current)
    if stack.supervisor.is_running():
        stack.supervisor.shutdown()  # web first, db last
        wait = max(kind.stop_wait_seconds for kind in stack.kinds) + 5
    else:  # supervisord died and left its children: stop them by their recorded pids
        processes_signal(pids, signal.SIGTERM)
        wait = 10
    alive = processes_wait_gone(pids, wait)
    if alive:
        processes_signal(alive, signal.SIGKILL)
        alive = processes_wait_gone(alive, 5)
    still_open = ports_wait_closed(stack.ports.values(), 5)
    stack.cpu_groups.remove()
    stack.run.state_update(pids=[])
    if alive or still_open:
        raise StackError(f"down left pids {alive} and ports {still_open} behind")
    return True


def leftovers_stop(stack) -> None:
    """Processes an earlier supervisord left behind when it died (killed, crashed)."""
    if processes_living(stack.run.state().pids):
        stack.say("stopping what an earlier supervisord left running")
        stack_stop(stack)
