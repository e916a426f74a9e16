"""Made-up app servers behind a real nginx, for the tests of an nginx site's upstream
(stage 03 on): servers that count what reaches them, slow ones, dying ones, and nginx
started with a stage's deploy/nginx.conf.template as the stack fills it in. A test-only
view would have no place in the shop, and a real gunicorn cannot be told to be slow.

    from workshop.testing.upstreams import nginx_before  # noqa: F401 (a fixture)
"""

import http.client
import socketserver
import subprocess
import threading
import time

import pytest

from workshop.stack import Stack
from workshop.stack.ports import HOST, port_is_listening, port_pick_free
from workshop.stack.programs import program_find

from .services import require
from .stack import SKIP_REASON, stack_tests_enabled, stage_under_test


class FakeApp(socketserver.ThreadingTCPServer):
    """An app server that counts the paths it is asked for. ``hold`` seconds before it
    answers; ``dies`` for how many requests it closes the connection without an answer
    (as a worker killed mid-request), None for all of them."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *, hold: float = 0, dies: int | None = 0):
        self.hold, self.dies, self.seen = hold, dies, []
        super().__init__((HOST, 0), FakeAppHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]


class FakeAppHandler(socketserver.StreamRequestHandler):
    def handle(self):
        request_line = self.rfile.readline().decode()
        while self.rfile.readline().strip():
            pass  # the headers; the tests send GETs without a body
        app = self.server
        app.seen.append(request_line.split()[1])
        time.sleep(app.hold)
        if app.dies is None or len(app.seen) <= app.dies:
            return  # the connection closes with no answer
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")


@pytest.fixture
def nginx_before(tmp_path):
    """Start nginx with the stage's config in front of the given fake app servers; one
    worker process, so that what nginx counts of a server's failures is in one place
    (natively each worker counts its own). Yields a function: apps -> nginx's port."""
    if not stack_tests_enabled():
        require(SKIP_REASON)
    program_find("nginx")
    started = []

    def start(*apps: FakeApp) -> int:
        stack = Stack.for_stage(
            stage_under_test(),
            port=port_pick_free(),
            run_dir=tmp_path / "run",
            quiet=True,
            app_servers=len(apps),
        )
        stack.ports = {kind.name: port_pick_free() for kind in stack.kinds}
        stack.ports |= {"web": stack.web_port}
        stack.ports |= {f"app{n}": app.port for n, app in enumerate(apps, start=1)}
        web = stack.kind_of("web")
        web.prepare()
        main = web.dir / "nginx.conf"
        text = main.read_text()
        assert "worker_processes auto;" in text, "the stack's nginx.conf changed: one worker?"
        main.write_text(text.replace("worker_processes auto;", "worker_processes 1;"))
        started.append((subprocess.Popen(web.command()), apps))
        deadline = time.monotonic() + 10
        while not port_is_listening(stack.web_port):
            assert time.monotonic() < deadline, "nginx did not listen"
            time.sleep(0.05)
        return stack.web_port

    yield start
    for nginx, apps in started:
        nginx.terminate()
        nginx.wait(10)
        for app in apps:
            app.shutdown()


def get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection(HOST, port, timeout=150)
    connection.request("GET", path)
    status = connection.getresponse().status
    connection.close()
    return status
