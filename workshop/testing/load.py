"""Visitors sending GETs through nginx while a test does something to the stack (scales
it, kills a server): every request that failed is kept."""

import http.client
import threading
import time

from workshop.stack.ports import HOST


def get(port: int, path: str) -> int:
    """One GET on a connection of its own, as a new visitor's; the status."""
    connection = http.client.HTTPConnection(HOST, port, timeout=15)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


class Load:
    """A few visitors doing GETs through nginx until the block ends (at most a minute):
    the requests that went well, and every one that did not."""

    def __init__(self, port: int, *, paths=("/",), visitors: int = 4, limit: float = 60):
        self.port, self.paths, self.visitors, self.limit = port, list(paths), visitors, limit
        self.ok, self.failures = 0, []
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def _visit(self) -> None:
        deadline = time.monotonic() + self.limit
        n = 0
        while not self._stop.is_set() and time.monotonic() < deadline:
            path = self.paths[n % len(self.paths)]
            n += 1
            try:
                status = get(self.port, path)
                failure = f"{path}: HTTP {status}" if status >= 500 else None
            except OSError as error:
                failure = f"{path}: {error!r}"
            with self._lock:
                self.failures += [failure] if failure else []
                self.ok += 0 if failure else 1

    def __enter__(self):
        self._threads = [threading.Thread(target=self._visit) for _ in range(self.visitors)]
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join()
