"""A stand-in database server on a port of its own, for stage 05's failover tests: a
proxy in front of the test database that forwards, refuses, holds or cuts connections,
as a live, dead, slow or dying replica would."""

import contextlib
import socket
import threading

from workshop.stack.ports import port_pick_free


def closed_port() -> str:
    """An address where nothing listens: a connection is refused at once."""
    return f"127.0.0.1:{port_pick_free()}"


class TcpProxy:
    """A stand-in replica on a port of its own, in front of the test database: it forwards
    (a live replica), refuses (closed: a dead one), or cuts every open connection (a
    replica that dies under a query). It counts the connections it accepted."""

    def __init__(self, target: tuple[str, int]):
        # ``target`` may be a closed port: the proxy then accepts and hangs up at once.
        self.target, self.port = target, port_pick_free()
        self.accepted, self._listener, self._open = 0, None, []
        self._released = threading.Event()
        self._released.set()

    def start(self) -> "TcpProxy":
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._serve, args=(self._listener,), daemon=True).start()
        return self

    def hold(self) -> None:
        """Connections are accepted (and counted), and wait to be forwarded until
        release(): a replica slow to answer, so that a test sees who else comes meanwhile."""
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def _serve(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed
            self.accepted += 1
            threading.Thread(target=self._forward, args=(client,), daemon=True).start()

    def _forward(self, client):
        self._released.wait()
        try:
            server = socket.create_connection(self.target)
        except OSError:  # a proxy in front of nothing: it accepts, then hangs up
            client.close()
            return
        self._open += [client, server]
        for a, b in ((client, server), (server, client)):
            threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Every open connection dies, as when the replica's process is killed."""
        for end in self._open:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
                end.close()
        self._open = []

    def stop(self) -> None:
        """Nothing listens any more: a connection is refused."""
        if self._listener:
            self._listener.close()
            self._listener = None
        self.cut()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"
