"""`down` leaves nothing of a stage's stack behind: no process, no listening port."""

import socket

import pytest

from workshop.stack.processes import process_alive

pytestmark = [pytest.mark.stack, pytest.mark.stack_down]


def test_down_leaves_no_process_and_no_listening_port(stack):
    """The stack_down mark runs this after every other test of the run (the stack
    fixture's own down is then a no-op)."""
    pids = [pid for group in stack.service_pids().values() for pid in group]
    ports = list(stack.ports.values())
    assert pids and ports

    stack.down()

    assert [pid for pid in pids if process_alive(pid)] == []
    for port in ports:
        with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
            pass
