"""nginx's retries have bounds, or they snowball under a spike: a GET that a busy server
held until it failed must not be sent to the next busy server, a GET no two servers could
answer must not take a third, and one failure must not bench a server that answers.

A real nginx with this stage's deploy/nginx.conf.template, filled in by the stack (its
server lines as `workshop up` writes them), in front of made-up app servers that count
what reaches them: slow ones, dying ones. A test-only view would have no place in the
shop, and a real gunicorn cannot be told to be slow.

    WORKSHOP_STACK_TESTS=1 workshop test 03 -- -k retries
"""

import http.client
import socketserver
import subprocess
import threading
import time
import uuid
from collections import Counter

import pytest

from workshop.stack import Stack
from workshop.stack.ports import HOST, port_is_listening, port_pick_free
from workshop.stack.programs import program_find
from workshop.testing.services import require
from workshop.testing.stack import SKIP_REASON, stack_tests_enabled, stage_under_test

pytestmark = pytest.mark.stack

# The longest a GET may have been on its way before nginx gives up sending it on (the
# template's proxy_next_upstream_timeout). A slow server below holds a GET a second more.
RETRY_WINDOW_SECONDS = 5


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


def times_asked(apps, path: str) -> int:
    return sum(Counter(app.seen)[path] for app in apps)


def test_a_get_that_a_server_held_past_the_window_is_not_sent_to_another(nginx_before):
    """Both servers hold every GET past the window, then fail it. Sending it on would
    cost the second server the same work, as the first already spent it."""
    apps = [FakeApp(hold=RETRY_WINDOW_SECONDS + 1, dies=None) for _ in range(2)]
    port = nginx_before(*apps)
    path = f"/slow/{uuid.uuid4().hex}"
    started = time.monotonic()

    status = get(port, path)

    assert status == 502
    assert times_asked(apps, path) == 1, "the GET went to a second server"
    assert time.monotonic() - started < 2 * (RETRY_WINDOW_SECONDS + 1)


def test_a_get_goes_to_two_servers_at_most(nginx_before):
    """Three servers that fail every request at once: two see the GET, the third never."""
    apps = [FakeApp(dies=None) for _ in range(3)]
    port = nginx_before(*apps)
    path = f"/dies/{uuid.uuid4().hex}"

    assert get(port, path) == 502
    assert times_asked(apps, path) == 2


def test_a_get_that_failed_at_once_is_still_sent_on(nginx_before):
    """What the bounds keep: a server that fails a GET early costs the visitor nothing."""
    dying, good = FakeApp(dies=None), FakeApp()
    port = nginx_before(dying, good)

    statuses = [get(port, f"/early/{n}") for n in range(4)]

    assert statuses == [200] * 4
    assert dying.seen, "no GET reached the dying server"


def test_one_failure_does_not_bench_a_server(nginx_before):
    """A server that failed one request (a worker killed, a slow answer) keeps its turn:
    benched for 10 s at its first failure, as nginx's defaults would, its share would go
    to the others, as busy under a spike."""
    once, good = FakeApp(dies=1), FakeApp()
    port = nginx_before(once, good)
    assert get(port, "/first") == 200  # round robin starts at the first server
    assert once.seen == ["/first"], "the first GET did not go to the first server"

    statuses = [get(port, f"/next/{n}") for n in range(4)]

    assert statuses == [200] * 4
    assert len(once.seen) > 1, "one failure left the server out of the turn"
