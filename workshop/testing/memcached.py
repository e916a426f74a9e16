"""Direct looks into a stack's memcached: its keys and its statistics."""

import socket
from urllib.parse import unquote

from workshop.stack.ports import HOST


def memcached_command(port: int, command: str) -> list[str]:
    """The lines memcached answers to a text-protocol command, up to its END."""
    with socket.create_connection((HOST, port), timeout=5) as sock:
        sock.sendall(command.encode() + b"\r\n")
        answer = b""
        while not answer.endswith(b"END\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer.decode(errors="replace").splitlines()[:-1]


def memcached_keys(port: int) -> list[str]:
    lines = memcached_command(port, "lru_crawler metadump all")
    return [unquote(line.split()[0][len("key=") :]) for line in lines if line.startswith("key=")]


def memcached_stat(port: int, name: str) -> int:
    for line in memcached_command(port, "stats"):
        _, key, value = line.split(" ", 2)
        if key == name:
            return int(value)
    raise KeyError(name)
