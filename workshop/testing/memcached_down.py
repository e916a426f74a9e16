"""A memcached that is down or frozen, for tests of a shop that must survive its cache:
an address where every connection is refused, and one that accepts and never answers."""

import contextlib
import signal
import socket
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
