"""The native stack runner with real programs, on a small made-up stage (nginx and
memcached, no Django), so each test takes a second: up, status, up again, down, and
the one-line answers to a taken port, a missing program and a service that will not
start. Stage 01's own stack tests cover the shop on its whole topology."""

import os
import signal
import socket
import sys

import pytest

from workshop.cli import main
from workshop.commands import stack as stack_command
from workshop.stack import Stack, StackError, runfolder
from workshop.stack import programs as programs_module
from workshop.stack.kinds import KINDS, Kind
from workshop.stack.ports import port_is_listening, port_pick_free
from workshop.stack.processes import process_alive
from workshop.stack.programs import program_find
from workshop.stages import Stage
from workshop.testing.services import require

SITE = """\
server {
    listen ${LISTEN};
    location / { return 200 "made-up stage\\n"; }
    location /static/ { alias ${STATIC_ROOT}/; }
}
"""


@pytest.fixture(autouse=True)
def _programs():
    try:
        program_find("nginx"), program_find("memcached")
    except StackError as error:
        require(f"runner tests: {error}")


def made_up_stage(tmp_path, services: str) -> Stage:
    path = tmp_path / "99_made_up"
    (path / "deploy").mkdir(parents=True)
    (path / "deploy" / "stack.toml").write_text(services)
    (path / "deploy" / "nginx.conf.template").write_text(SITE)
    return Stage(number="99", name=path.name, path=path)


@pytest.fixture
def stack(tmp_path):
    stage = made_up_stage(tmp_path, '[web]\nkind = "nginx"\n\n[cache]\nkind = "memcached"\n')
    stack = Stack.for_stage(stage, port=port_pick_free(), run_dir=tmp_path / "run", quiet=True)
    yield stack
    stack.down()


def all_pids(stack) -> list[int]:
    return [pid for group in stack.service_pids().values() for pid in group]


def test_up_starts_each_service_healthy_with_its_workers(stack):
    stack.up()

    assert stack.is_up()
    assert [(r["name"], r["state"], r["health"]) for r in stack.status()] == [
        ("cache", "running", "ok"),
        ("web", "running", "ok"),
    ]
    pids = stack.service_pids()
    assert len(pids["cache"]) == 1 and len(pids["web"]) >= 2  # nginx's master and workers


def test_up_twice_is_harmless(stack):
    stack.up()
    before = all_pids(stack)

    stack.up()

    assert all_pids(stack) == before


def test_down_stops_every_process_and_frees_every_port(stack):
    stack.up()
    pids, ports = [*all_pids(stack), stack.supervisor.pid()], list(stack.ports.values())

    stack.down()

    assert not stack.is_up()
    assert [pid for pid in pids if process_alive(pid)] == []
    assert [port for port in ports if port_is_listening(port)] == []
    assert all(row["state"] == "down" for row in stack.status())


def test_a_stack_can_come_back_up_after_down(stack):
    stack.up()
    stack.down()

    stack.up()

    assert stack.is_up()


def test_a_taken_web_port_is_one_clear_line_and_starts_nothing(stack):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", stack.web_port))
        squatter.listen()

        with pytest.raises(StackError, match=rf"port {stack.web_port} is taken by "):
            stack.up()

    assert not stack.supervisor.is_running()


class Broken(Kind):
    """A service that dies as it starts."""

    port_offset = 31
    priority = 200

    def command(self):
        return [sys.executable, "-c", "print('cannot start: no licence'); raise SystemExit(3)"]

    def health(self):
        return "never"


def test_a_service_that_will_not_start_says_why_and_takes_the_others_down(tmp_path, monkeypatch):
    monkeypatch.setitem(KINDS, "broken", Broken)
    services = '[web]\nkind = "nginx"\n\n[cache]\nkind = "memcached"\n\n[odd]\nkind = "broken"\n'
    stage = made_up_stage(tmp_path, services)
    stack = Stack.for_stage(stage, port=port_pick_free(), run_dir=tmp_path / "run", quiet=True)

    with pytest.raises(StackError, match="odd stopped while starting: cannot start: no licence"):
        stack.up()

    assert not stack.supervisor.is_running()
    assert [port for port in stack.ports.values() if port_is_listening(port)] == []


@pytest.fixture
def cli_on_made_up_stage(tmp_path, monkeypatch):
    """`workshop up 99` finds the made-up stage; its run folder is in tmp_path."""
    stage = made_up_stage(tmp_path, '[web]\nkind = "nginx"\n\n[cache]\nkind = "memcached"\n')
    monkeypatch.setattr(stack_command, "stage_get", lambda number: stage)
    monkeypatch.setattr(runfolder, "RUN_ROOT", tmp_path / "run")
    yield
    assert main(["down", "99"]) == 0


def test_the_cli_answers_a_missing_program_in_one_line(cli_on_made_up_stage, capsys, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(programs_module, "EXTRA_DIRS", [])

    assert main(["up", "99", "--port", str(port_pick_free())]) == 1

    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "is not installed: apt-get install" in err and "brew install" in err


def test_the_cli_answers_a_taken_port_in_one_line(cli_on_made_up_stage, capsys):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()

        assert main(["up", "99", "--port", str(squatter.getsockname()[1])]) == 1

    err = capsys.readouterr().err
    assert err.startswith("workshop up: ") and err.count("\n") == 1


def test_the_cli_brings_a_stage_up_reports_its_status_and_takes_it_down(
    cli_on_made_up_stage, capsys
):
    assert main(["up", "99", "--port", str(port_pick_free())]) == 0
    assert main(["status", "99"]) == 0
    status = capsys.readouterr().out
    assert main(["down", "99"]) == 0
    assert main(["status", "99"]) == 0

    assert "web       nginx" in status and "running  ok" in status
    assert "99 made up: not up (workshop up 99)" in capsys.readouterr().out.splitlines()


def test_down_stops_the_services_even_when_supervisord_itself_died(stack):
    stack.up()
    pids = all_pids(stack)
    os.kill(stack.supervisor.pid(), signal.SIGKILL)

    stack.down()

    assert [pid for pid in pids if process_alive(pid)] == []
    assert [port for port in stack.ports.values() if port_is_listening(port)] == []
