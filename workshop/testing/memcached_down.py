"""A memcached that is down or frozen, for tests of a shop that must survive its cache:
an address where every connection is refused, and one that accepts and never answers."""

import contextlib
import signal
import socket
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def refused() -> Iterator[str]:
    """host:port where nothing listens: memcached killed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening: the port stays ours, refusing
        yield f"127.0.0.1:{sock.getsockname()[1]}"


@contextlib.contextmanager
def frozen() -> Iterator[str]:
    """host:port of a memcached as SIGSTOP leaves it: the kernel still accepts connections
    on its behalf, and nothing ever answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"127.0.0.1:{sock.getsockname()[1]}"


class Hung(BaseException):
    """Raised into code that waited too long. A BaseException, so that no client's
    `except Exception` can take it for a cache failure and carry on."""


@contextlib.contextmanager
def hung_after(seconds: float) -> Iterator[None]:
    """Fail what runs in the block if it takes longer than ``seconds`` (main thread
    only): a client without a read timeout waits on a frozen memcached for ever."""

    def give_up(signum, frame):
        raise Hung(f"still waiting after {seconds} s: a worker would hang here")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Proxy:
    """A TCP proxy in front of a live memcached, whose path can be cut and mended: what
    a network partition does, while memcached keeps every entry it held."""

    def __init__(self, target: str):
        host, port = target.rsplit(":", 1)
        self.target = (host, int(port))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.listener.getsockname()[1]}"
        self.open = True
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        """Every connection closed; new ones closed as soon as they come."""
        self.open = False
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self.sockets.clear()

    def mend(self) -> None:
        self.open = True

    def close(self) -> None:
        self.cut()
        self.listener.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            if not self.open:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
