"""Several app servers in the native stack: numbered instances, each with its own local
folder and CPU cgroup, restarted when they die, and `workshop scale` adding and removing
them while nginx serves. On a small made-up stage (nginx in front of gunicorn serving a
ten-line WSGI app, no Django), so each test takes seconds; stage 03's own stack tests
cover the shop on its whole topology."""

import http.client
import os
import signal
import subprocess
import time

import pytest

from workshop.cli import main
from workshop.commands import scale as scale_command
from workshop.stack import Stack, StackError, runfolder
from workshop.stack import stack as stack_module
from workshop.stack.cgroups import CpuGroups, join_command
from workshop.stack.ports import HOST, port_is_listening, port_pick_free
from workshop.stack.processes import process_tree
from workshop.stack.programs import program_find
from workshop.stack.topology import Service, Topology
from workshop.stages import Stage
from workshop.testing.load import Load
from workshop.testing.services import require

SITE = """\
upstream app {
    ${APP_SERVERS}
}
server {
    listen ${LISTEN};
    location /static/ { alias ${STATIC_ROOT}/; }
    location / {
        proxy_pass http://app;
        proxy_next_upstream error timeout;
        proxy_connect_timeout 1s;
    }
}
"""
GUNICORN_CONF = """\
import os
bind = os.environ["GUNICORN_BIND"]
workers = 2
accesslog = os.environ["GUNICORN_ACCESS_LOG"]
access_log_format = '"%(r)s" %(s)s <%(p)s>'
graceful_timeout = 5
reuse_port = True
control_socket_disable = True
"""
HELLO = """\
import os
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{os.environ['APP_SERVERS']} servers; {os.environ['SHOP_LOCAL_DIR']}".encode()]
"""
SERVICES = """\
[web]
kind = "nginx"

[app]
kind = "gunicorn"
count = 2
wsgi = "hello:app"
cpu_share = 0.5
restart = true
"""


def made_up_stage(tmp_path, services: str = SERVICES) -> Stage:
    path = tmp_path / "98_made_up"
    (path / "deploy").mkdir(parents=True)
    (path / "deploy" / "stack.toml").write_text(services)
    (path / "deploy" / "nginx.conf.template").write_text(SITE)
    (path / "deploy" / "gunicorn.conf.py").write_text(GUNICORN_CONF)
    (path / "hello.py").write_text(HELLO)
    return Stage(number="98", name=path.name, path=path)


@pytest.fixture
def stack(tmp_path, monkeypatch):
    try:
        program_find("nginx")
    except StackError as error:
        require(f"scaling tests: {error}")
    monkeypatch.setattr(stack_module, "provision", lambda stack: None)  # no Django here
    stack = Stack.for_stage(
        made_up_stage(tmp_path), port=port_pick_free(), run_dir=tmp_path / "run", quiet=True
    )
    stack.up()
    yield stack
    stack.down()


def apps(stack) -> list:
    return stack.apps()


def get(port: int) -> tuple[int, str]:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", "/")
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_a_scaled_service_numbers_its_instances_from_one():
    topology = Topology((Service("app", "gunicorn", 1), Service("web", "nginx")))

    assert [i.name for i in topology.with_count("app", 3).instances()] == [
        "app1", "app2", "app3", "web",
    ]  # fmt: skip
    assert [i.name for i in topology.with_count("app", 1).instances_of("app")] == ["app1"]


def test_each_app_server_gets_the_count_and_a_local_folder_of_its_own(tmp_path):
    stack = Stack.for_stage(made_up_stage(tmp_path), port=8000, run_dir=tmp_path / "run")
    stack.ports = {kind.name: 18000 + n for n, kind in enumerate(stack.kinds)}

    environments = [app.environment() for app in apps(stack)]

    assert [env["APP_SERVERS"] for env in environments] == ["2", "2"]
    local = [env["SHOP_LOCAL_DIR"] for env in environments]
    assert local == [str(tmp_path / "run" / name / "local") for name in ("app1", "app2")]
    assert [env["TMPDIR"] for env in environments] == local


def test_a_cpu_group_on_cgroup_v1_holds_its_quota_of_the_period(tmp_path):
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    groups = CpuGroups(tmp_path / "run", root=tmp_path)

    procs, reason = groups.create("app1", 0.25)

    assert reason is None and procs == tmp_path / "cpu" / groups.parent_name / "app1/cgroup.procs"
    assert (procs.parent / "cpu.cfs_quota_us").read_text() == "25000"
    assert (procs.parent / "cpu.cfs_period_us").read_text() == "100000"
    assert groups.quota("app1") == 0.25


def test_a_cpu_group_on_cgroup_v2_enables_the_controller_and_sets_cpu_max(tmp_path):
    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory\n")
    (tmp_path / "cgroup.subtree_control").write_text("")
    groups = CpuGroups(tmp_path / "run", root=tmp_path)
    (tmp_path / groups.parent_name).mkdir()
    (tmp_path / groups.parent_name / "cgroup.subtree_control").write_text("")

    procs, reason = groups.create("app2", 0.5)

    assert reason is None
    assert (procs.parent / "cpu.max").read_text() == "50000 100000"
    assert (tmp_path / "cgroup.subtree_control").read_text() == "+cpu"
    assert groups.quota("app2") == 0.5


def test_without_a_cpu_controller_the_reason_is_one_line(tmp_path):
    procs, reason = CpuGroups(tmp_path / "run", root=tmp_path).create("app1", 0.25)

    assert procs is None and reason == "this machine has no cgroup cpu controller (Linux only)"


def test_two_run_folders_of_one_stage_never_share_a_cpu_group(tmp_path):
    mine = CpuGroups(tmp_path / "a" / "03_round_robin")
    tests = CpuGroups(tmp_path / "b" / "03_round_robin")

    assert mine.parent_name != tests.parent_name
    assert mine.parent_name.startswith("workshop-03_round_robin-")


def real_cpu_groups(tmp_path) -> CpuGroups:
    groups = CpuGroups(tmp_path / "run")
    _, reason = groups.create("probe", 0.25)
    if reason:
        require(f"needs cgroups this user may write: {reason}")
    return groups


def test_a_command_joined_to_a_real_cpu_group_runs_inside_it_and_the_group_goes(tmp_path):
    groups = real_cpu_groups(tmp_path)
    procs = groups.parent / "probe" / "cgroup.procs"

    shown = subprocess.run(
        join_command(procs, ["cat", "/proc/self/cgroup"]), capture_output=True, text=True
    )
    groups.remove()

    assert f"/{groups.parent_name}/probe" in shown.stdout
    assert not groups.parent.exists()


def test_the_stack_runs_each_app_server_in_its_cgroup_and_removes_them_at_down(stack):
    if any(app.cgroup_procs is None for app in apps(stack)):
        require("needs cgroups this user may write (root, or a delegated cgroup v2 tree)")
    groups = stack.cpu_groups

    for app in apps(stack):
        pid = stack.supervisor.processes()[app.name]["pid"]
        assert set(process_tree(pid)) <= set(groups.members(app.name))
        assert groups.quota(app.name) == 0.5
    stack.down()

    assert not groups.parent.exists()


def test_a_killed_app_server_is_started_again_and_serves(stack):
    app = apps(stack)[0]
    killed = stack.supervisor.processes()[app.name]["pid"]

    os.kill(killed, signal.SIGKILL)

    def back():
        info = stack.supervisor.processes()[app.name]
        return info["statename"] == "RUNNING" and info["pid"] != killed and app.health() is None

    assert wait_until(back, 30)


def test_scaling_up_and_down_under_load_fails_no_request(stack):
    with Load(stack.web_port, visitors=2) as load:
        stack.scale(4)
        joined = apps(stack)[2:]
        ports = [app.port for app in joined]
        answered = wait_until(lambda: all(app.access_log.exists() for app in joined), 10)
        stack.scale(1)

    assert load.failures == [] and load.ok > 10
    assert answered, "nginx sent nothing to the servers that joined"
    assert [app.name for app in apps(stack)] == ["app1"]
    assert "server 127.0.0.1:" in (stack.kind_of("web").dir / "site.conf").read_text()
    assert [port for port in ports if port_is_listening(port)] == []
    assert stack.run.state().app_servers == 1
    # Each server was told the count when it started: app1 ran with two.
    assert get(stack.web_port) == (200, f"2 servers; {apps(stack)[0].local_dir}")


def test_status_after_scaling_shows_every_app_server_there_is(stack):
    stack.scale(3)

    again = Stack.for_stage(stack.stage, run_dir=stack.run.path, quiet=True)

    rows = [(row["name"], row["state"]) for row in again.status() if row["kind"] == "gunicorn"]
    assert rows == [("app1", "running"), ("app2", "running"), ("app3", "running")]


@pytest.fixture
def cli_on_made_up_stage(tmp_path, monkeypatch):
    """`workshop scale 98` finds the made-up stage; its run folder is in tmp_path."""
    stage = made_up_stage(tmp_path)
    monkeypatch.setattr(scale_command, "stage_get", lambda number: stage)
    monkeypatch.setattr(runfolder, "RUN_ROOT", tmp_path / "run")


def test_scaling_a_stage_that_is_not_up_is_one_clear_line(cli_on_made_up_stage, capsys):
    assert main(["scale", "98", "3"]) == 1

    assert capsys.readouterr().err == "workshop scale: stage 98 is not up: workshop up 98\n"


@pytest.mark.parametrize("servers", [0, -2, 11, 500])
def test_scaling_to_an_absurd_number_is_one_clear_line(cli_on_made_up_stage, capsys, servers):
    assert main(["scale", "98", str(servers)]) == 1

    err = capsys.readouterr().err
    assert err == f"workshop scale: stage 98 cannot run {servers} app servers: choose 1 to 10\n"


def test_a_stack_started_with_a_count_of_its_own_scales_to_another(tmp_path, monkeypatch):
    """A bench's private stack is started with ``app_servers``; scaling it (as stage 03's
    notebook does between runs) changes the servers that run, not only the state."""
    try:
        program_find("nginx")
    except StackError as error:
        require(f"scaling tests: {error}")
    monkeypatch.setattr(stack_module, "provision", lambda stack: None)
    stage = made_up_stage(tmp_path)
    stack = Stack.for_stage(
        stage, port=port_pick_free(), run_dir=tmp_path / "run", quiet=True, app_servers=1
    )
    stack.up()
    try:
        stack.scale(3)

        running = [row["name"] for row in stack.status() if row["state"] == "running"]
        assert [app.name for app in apps(stack)] == ["app1", "app2", "app3"]
        assert {"app1", "app2", "app3"} <= set(running)
    finally:
        stack.down()


def test_a_stage_of_one_app_server_is_not_scaled(tmp_path):
    services = SERVICES.replace("count = 2", "count = 1")
    stack = Stack.for_stage(made_up_stage(tmp_path, services), run_dir=tmp_path / "run")

    with pytest.raises(StackError, match=r"runs one app server .* scaling out starts at stage 03"):
        stack.scale(2)


def test_a_bench_on_a_stack_of_its_own_size_cannot_resize_another(tmp_path):
    from workshop.bench.runner import target_for

    stage = made_up_stage(tmp_path)

    with (
        pytest.raises(StackError, match="--servers sets up the bench's own stack"),
        target_for(stage, "http://127.0.0.1:1", quiet=True, servers=2),
    ):
        pass
