"""Stage 03 on its real topology: several gunicorn app servers behind nginx's upstream,
each a small hosting account (a CPU share of its own), restarted when it dies, added and
removed while the shop serves. The tests start the stage's native stack on a free port
and speak to it as visitors do (HTTP through nginx, from threads on 127.0.0.1) and as an
operator does (kill -9, `workshop scale`), and read the servers' own access logs.

    WORKSHOP_STACK_TESTS=1 workshop test 03 -- -k round_robin
"""

import http.client
import os
import re
import signal
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from workshop.stack import Stack
from workshop.stack.cgroups import join_command
from workshop.stack.ports import HOST, port_is_listening, port_pick_free
from workshop.stack.processes import process_tree
from workshop.stack.programs import program_find
from workshop.testing.load import Load, get
from workshop.testing.services import require
from workshop.testing.stack import SKIP_REASON, stack_running, stack_tests_enabled, stage_under_test

pytestmark = pytest.mark.stack

# Pages only Django answers (a query string: no page file), as anonymous visitors.
LOAD_PATHS = ["/?from=round-robin", "/cart/", "/accounts/login/"]
WORKER_PID = re.compile(r"<(\d+)>$")  # the last field of deploy/gunicorn.conf.py's lines


@pytest.fixture(scope="module")
def stack():
    """A stack of these tests' own, apart from the shared suite's: they kill and scale its
    servers, and must leave the other tests a stack as the stage declares it."""
    with stack_running(stage_under_test()) as stack:
        yield stack


def master_pid(stack, name: str) -> int:
    info = stack.supervisor.processes().get(name, {})
    return info.get("pid", 0) if info.get("statename") == "RUNNING" else 0


def log_lines(app) -> list[str]:
    try:
        return app.access_log.read_text().splitlines()
    except FileNotFoundError:
        return []


def answered_by(app, pids) -> int:
    """How many requests in ``app``'s access log the processes ``pids`` answered."""
    found = (WORKER_PID.search(line) for line in log_lines(app))
    return sum(1 for match in found if match and int(match[1]) in pids)


def wait_until(condition, timeout: float, *, step=None) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        if step:
            step()
        time.sleep(0.1)
    return True


def test_the_stage_runs_three_app_servers_each_with_its_own_local_folder(stack):
    """Every server learns how many there are, and gets a machine-local folder of its own
    (also its tmp): what one leaves there, the others never see."""
    environments = [psutil_environ(master_pid(stack, app.name)) for app in stack.apps()]

    assert [app.name for app in stack.apps()] == ["app1", "app2", "app3"]
    assert {env["APP_SERVERS"] for env in environments} == {"3"}
    local = [env["SHOP_LOCAL_DIR"] for env in environments]
    assert len(set(local)) == 3 and all(Path(folder).is_dir() for folder in local)
    assert [env["TMPDIR"] for env in environments] == local
    assert len({env["DJANGO_SECRET_KEY"] for env in environments}) == 1


def psutil_environ(pid: int) -> dict[str, str]:
    import psutil

    return psutil.Process(pid).environ()


def test_requests_through_nginx_spread_over_every_app_server(stack):
    apps = stack.apps()
    assert len(apps) > 1, "one app server, so nothing to spread: see deploy/stack.toml"
    before = [len(log_lines(app)) for app in apps]

    statuses = [get(stack.web_port, f"/?from=spread-{n}") for n in range(12)]

    assert set(statuses) == {200}
    assert wait_until(
        lambda: all(len(log_lines(a)) >= b + 2 for a, b in zip(apps, before, strict=True)), 5
    ), "round robin gives each of three servers a share of twelve requests"


def test_each_app_server_runs_in_a_cgroup_of_its_own_held_to_its_cpu_share(stack):
    share = stack.apps()[0].cpu_share
    if any(app.cgroup_procs is None for app in stack.apps()):
        require("needs cgroups this user may write (root, or a delegated cgroup v2 tree)")

    for app in stack.apps():
        members = set(stack.cpu_groups.members(app.name))
        family = process_tree(master_pid(stack, app.name))
        assert len(family) >= 2 and set(family) <= members, app.name  # master and workers
        assert stack.cpu_groups.quota(app.name) == pytest.approx(share)


def test_a_busy_process_in_an_app_server_cgroup_gets_no_more_than_its_share(stack):
    """What the quota means: a loop that would take a whole core gets a quarter of one.
    Only the ceiling is asserted; a busy machine may give it less."""
    app = stack.apps()[0]
    if app.cgroup_procs is None:
        require("needs cgroups this user may write (root, or a delegated cgroup v2 tree)")
    loop = (
        "import time\nend = time.monotonic() + 2\nwhile time.monotonic() < end: pass\n"
        "print(time.process_time() / 2)"  # its CPU seconds per second of the clock
    )
    command = join_command(app.cgroup_procs, [sys.executable, "-c", loop])

    busy = subprocess.run(command, capture_output=True, text=True, check=True)

    assert float(busy.stdout) < app.cpu_share * 1.5


def test_a_killed_app_server_costs_no_get_and_comes_back_to_serve(stack):
    app = stack.apps()[1]
    killed = master_pid(stack, app.name)

    with Load(stack.web_port, paths=LOAD_PATHS) as load:
        time.sleep(1)
        os.kill(killed, signal.SIGKILL)
        restarted = wait_until(lambda: master_pid(stack, app.name) not in (0, killed), 30)
        time.sleep(2)

    assert restarted, "supervisord did not start the killed server again"
    assert load.failures == [] and load.ok > 20

    def fresh() -> set[int]:  # the new master and the workers it has forked so far
        return set(process_tree(master_pid(stack, app.name)))

    # nginx leaves a server out for 5 s after 3 failures, then tries it again.
    assert wait_until(
        lambda: answered_by(app, fresh()) > 0, 45, step=lambda: get(stack.web_port, "/?back=1")
    ), "the restarted server never answered a request"
    if app.cgroup_procs:
        assert fresh() <= set(stack.cpu_groups.members(app.name)), "restarted outside its cgroup"


def test_scaling_to_five_then_to_two_under_load_fails_no_request(stack):
    try:
        with Load(stack.web_port, paths=LOAD_PATHS) as load:
            stack.scale(5)
            joined = stack.apps()[3:]
            ports = [app.port for app in joined]
            grown = wait_until(lambda: all(log_lines(app) for app in joined), 20)
            stack.scale(2)

        assert load.failures == [] and load.ok > 20
        assert grown, "nginx did not send requests to the servers that joined"
        assert [app.name for app in stack.apps()] == ["app1", "app2"]
        assert stack.run.state().app_servers == 2
        status = Stack.for_stage(stack.stage, run_dir=stack.run.path).status()
        assert [row["name"] for row in status if row["kind"] == "gunicorn"] == ["app1", "app2"]
        for app, port in zip(joined, ports, strict=True):
            assert not port_is_listening(port), f"{app.name} still listens"
            assert stack.cpu_groups.members(app.name) == []
    finally:
        stack.scale(3)


# A POST that reached a server is never sent to another. Shown with nginx and the stage's
# own config, in front of two made-up app servers: one that dies with every request it
# reads, one that answers.


class Recorder(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *, dies: bool):
        self.dies, self.seen = dies, []
        super().__init__((HOST, 0), RecordingHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]


class RecordingHandler(socketserver.StreamRequestHandler):
    def handle(self):
        request_line = self.rfile.readline().decode()
        headers = {}
        while (line := self.rfile.readline().decode().strip()) != "":
            name, _, value = line.partition(":")
            headers[name.lower()] = value.strip()
        self.rfile.read(int(headers.get("content-length", 0)))
        self.server.seen.append(" ".join(request_line.split()[:2]))
        if self.server.dies:
            return  # the connection closes with no answer: the server died mid-request
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")


@pytest.fixture
def nginx_before_a_dying_server(tmp_path):
    """nginx with the stage's config, its upstream a dying server and a good one."""
    if not stack_tests_enabled():
        require(SKIP_REASON)
    program_find("nginx")
    dying, good = Recorder(dies=True), Recorder(dies=False)
    stack = Stack.for_stage(
        stage_under_test(),
        port=port_pick_free(),
        run_dir=tmp_path / "run",
        quiet=True,
        app_servers=2,
    )
    stack.ports = {kind.name: port_pick_free() for kind in stack.kinds}
    stack.ports |= {"web": stack.web_port, "app1": dying.port, "app2": good.port}
    web = stack.kind_of("web")
    web.prepare()
    nginx = subprocess.Popen(web.command())
    try:
        assert wait_until(lambda: port_is_listening(stack.web_port), 10)
        yield stack.web_port, dying, good
    finally:
        nginx.terminate()
        nginx.wait(10)
        dying.shutdown()
        good.shutdown()


def until_the_dying_server_has_one(dying, send) -> list:
    """Send requests one by one until one reaches the dying server (nginx's round robin
    starts each worker at the first server): [(path, status)] of those sent."""
    sent = []
    while not dying.seen and len(sent) < 10:
        path = f"/round-robin/{uuid.uuid4().hex}"
        sent.append((path, send(path)))
    return sent


def test_a_get_that_reached_a_dying_server_is_answered_by_the_next_one(
    nginx_before_a_dying_server,
):
    port, dying, good = nginx_before_a_dying_server

    sent = until_the_dying_server_has_one(dying, lambda path: get(port, path))

    assert dying.seen, "no GET reached the dying server"
    path = dying.seen[0].split()[1]
    assert (path, 200) in sent and f"GET {path}" in good.seen


def test_a_post_that_reached_a_dying_server_is_not_sent_again(nginx_before_a_dying_server):
    """An order must never be placed twice: nginx answers 502 and the next server never
    sees the POST."""
    port, dying, good = nginx_before_a_dying_server

    def post(path):
        connection = http.client.HTTPConnection(HOST, port, timeout=15)
        connection.request("POST", path, body=b"quantity=1")
        status = connection.getresponse().status
        connection.close()
        return status

    sent = until_the_dying_server_has_one(dying, post)

    assert dying.seen, "no POST reached the dying server"
    path = dying.seen[0].split()[1]
    assert (path, 502) in sent
    assert f"POST {path}" not in good.seen


def test_up_runs_the_system_check_knowing_how_many_servers_share_the_stack(stack):
    """`workshop up` migrates (and so runs the system checks) with the stack's environment,
    before any server starts: with three servers, sessions kept in files are refused."""
    env = stack.stage.env(**stack.env(), SESSION_ENGINE="django.contrib.sessions.backends.file")
    check = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=stack.stage.path,
        env=env,
        capture_output=True,
        text=True,
    )

    assert stack.env()["APP_SERVERS"] == "3"
    assert check.returncode != 0 and "stateless.E001" in check.stderr, check.stderr[-2000:]
