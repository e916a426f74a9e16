"""Ports on 127.0.0.1: is one free, is one answering, pick one."""

import socket
import time
from collections import Counter

import psutil

from .errors import StackError

HOST = "127.0.0.1"
# The backing services (app servers, cache, databases) sit at a fixed distance above
# the web port, so two stacks on different web ports (a developer's on 8000, another on
# 8001) never reach for the same ports; a taken one gives way to a free one.
BACKING_OFFSET = 10000


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def port_is_listening(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def port_pick_free() -> int:
    """A port the system has free right now (bind to 0 and let it choose)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def ports_plan(web_port: int, kinds, given: dict[str, int] | None = None) -> dict[str, int]:
    """The one port allocator, for `up` and `workshop scale` alike: ``given`` ports kept;
    the web port for the web server; each backing service at its place above the web
    port (the instances of one program, app1, app2… or db, replica1…, on consecutive
    ports), or a free port when that place is taken by anything, this stack included."""
    ports, placed = dict(given or {}), Counter()
    for kind in kinds:
        place = placed[kind.instance.kind]
        placed[kind.instance.kind] += 1
        if kind.name in ports:
            continue
        if kind.port_offset is None:
            ports[kind.name] = web_port
            continue
        port = web_port + BACKING_OFFSET + kind.port_offset + place
        while port > 65535 or port in ports.values() or not port_is_free(port):
            port = port_pick_free()
        ports[kind.name] = port
    return ports


def web_port_check(port: int, stage_number: str) -> None:
    if not port_is_free(port):
        raise StackError(
            f"port {port} is taken by {port_owner(port)}; "
            f"choose another: workshop up {stage_number} --port 8080"
        )


def ports_wait_closed(ports, timeout: float) -> list[int]:
    """Wait until nothing listens on any of ``ports``; the ones still open."""
    deadline = time.monotonic() + timeout
    while True:
        still_open = [p for p in ports if port_is_listening(p, timeout=0.2)]
        if not still_open or time.monotonic() > deadline:
            return still_open
        time.sleep(0.1)


def port_owner(port: int) -> str:
    """Who listens on ``port``, as far as this user may know: "nginx (pid 123)"."""
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port and conn.pid:
                return f"{psutil.Process(conn.pid).name()} (pid {conn.pid})"
    except (psutil.Error, OSError):
        pass  # macOS lists other users' sockets only to root
    return "another program"
