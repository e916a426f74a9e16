"""The native stack's configuration: what it writes is what nginx, supervisord and each
stage's deploy/ files expect. No server runs here, except `nginx -t`."""

import os
import re
import shutil
import socket
import subprocess
import time
from types import SimpleNamespace

import psutil
import pytest
from supervisor.options import ServerOptions

from workshop.load.shape import DEFAULT_PEAK
from workshop.stack import StackError
from workshop.stack import programs as programs_module
from workshop.stack.kinds import KINDS
from workshop.stack.kinds.nginx import MAIN_TEMPLATE
from workshop.stack.ports import BACKING_OFFSET, port_is_free, ports_plan
from workshop.stack.processes import process_alive
from workshop.stack.programs import program_find
from workshop.stack.runfolder import socket_path
from workshop.stack.templating import PLACEHOLDER, render
from workshop.stack.topology import Service, topology_load
from workshop.stages import stage_list
from workshop.testing.services import require
from workshop.testing.stack import stack_on_paper

STAGES = stage_list()


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.number)
def test_every_stage_declares_its_topology_with_known_kinds(stage):
    topology = topology_load(stage.path)

    assert {service.kind for service in topology.services} <= set(KINDS)
    assert [s.name for s in topology.services if s.kind == "nginx"] == ["web"]


def test_stage_01_runs_web_app_cache_and_db():
    topology = topology_load(STAGES[0].path)

    assert [(s.name, s.kind, s.count) for s in topology.services] == [
        ("web", "nginx", 1),
        ("app", "gunicorn", 1),
        ("cache", "memcached", 1),
        ("db", "mariadb", 1),
    ]


def test_a_service_of_several_instances_numbers_them():
    service = Service("app", "gunicorn", count=3)

    assert [i.name for i in service.instances()] == ["app1", "app2", "app3"]


def test_a_service_without_a_kind_is_refused(tmp_path):
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "stack.toml").write_text('[web]\nconfig = "x"\n')

    with pytest.raises(StackError, match=r"\[web\] needs a kind"):
        topology_load(tmp_path)


def test_templating_fills_its_placeholders_and_leaves_nginx_variables_alone():
    text = "listen ${LISTEN}; proxy_set_header Host $host; set $a ${LISTEN};"

    assert render(text, {"LISTEN": "80"}) == "listen 80; proxy_set_header Host $host; set $a 80;"


def test_templating_refuses_a_placeholder_it_has_no_value_for():
    with pytest.raises(ValueError, match="NEW_THING"):
        render("root ${NEW_THING};", {}, source="nginx.conf.template")


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.number)
def test_the_stack_fills_every_placeholder_of_the_stage_nginx_template(stage, tmp_path):
    web = stack_on_paper(stage, tmp_path).kind_of("web")
    template = web.site_template.read_text()

    assert set(PLACEHOLDER.findall(template)) <= set(web.site_values())
    site = render(template, web.site_values(), source=str(web.site_template))
    assert "server 127.0.0.1:" in site and "listen 127.0.0.1:8000;" in site


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.number)
def test_nginx_accepts_the_config_written_for_the_stage(stage, tmp_path):
    if shutil.which("nginx", path="/usr/sbin:/usr/bin:/usr/local/bin:/opt/homebrew/bin") is None:
        require("needs nginx: apt-get install nginx (macOS: brew install nginx)")
    web = stack_on_paper(stage, tmp_path).kind_of("web")

    web.prepare()  # runs `nginx -t`, and raises StackError with nginx's complaint

    conf = (web.dir / "nginx.conf").read_text()
    directives = [line for line in conf.splitlines() if not line.lstrip().startswith("#")]
    paths = [word for line in directives for word in line.split() if word.startswith("/")]
    assert paths and all(p.startswith(str(web.dir)) or p.endswith("mime.types;") for p in paths)
    assert conf.count("_temp_path") == 5


def test_one_nginx_worker_holds_every_connection_of_the_tv_spike():
    """Each visitor keeps a connection open, and each request nginx passes on holds a
    second one to the app server: nginx's limit must not be the first thing to fail."""
    conf = MAIN_TEMPLATE.read_text()

    connections = int(re.search(r"worker_connections (\d+);", conf)[1])
    open_files = int(re.search(r"worker_rlimit_nofile (\d+);", conf)[1])
    assert connections >= 2 * DEFAULT_PEAK
    assert open_files >= 2 * connections


@pytest.fixture
def stand_in_programs(tmp_path, monkeypatch):
    """Stand-ins for the servers, found first: writing the config only needs their paths."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in programs_module.PACKAGES:
        (folder / name).write_text("#!/bin/sh\n")
        (folder / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    return folder


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.number)
def test_supervisord_reads_the_config_written_for_the_stage(stage, tmp_path, stand_in_programs):
    stack = stack_on_paper(stage, tmp_path)
    stack.supervisor.write_config(stage.name, stack.kinds)

    options = ServerOptions()
    options.realize(["-c", str(stack.supervisor.config_file)])

    programs = {group.name: group.process_configs[0] for group in options.process_group_configs}
    assert set(programs) == {kind.name for kind in stack.kinds}
    app = programs.get("app") or programs["app1"]
    assert app.environment["GUNICORN_BIND"] == f"127.0.0.1:{stack.ports[app.name]}"
    assert app.stopasgroup and app.killasgroup
    # supervisord restarts a dead server where the stage's stack.toml says restart = true
    assert (app.autorestart is not False) == stack.kind_of(app.name).restarts
    assert programs["web"].command.startswith(f"{stand_in_programs / 'nginx'} -p ")


def test_supervisord_config_keeps_percent_signs_and_spaces_in_values(tmp_path):
    stack = stack_on_paper(STAGES[0], tmp_path)
    app = stack.kind_of("app")
    app.environment = lambda: {"ODD": "a 100%, odd; value's"}
    stack.supervisor.write_config("odd", [app])

    options = ServerOptions()
    options.realize(["-c", str(stack.supervisor.config_file)])

    config = options.process_group_configs[0].process_configs[0]
    assert config.environment["ODD"] == "a 100%, odd; value's"


def test_a_missing_program_names_its_debian_package_and_homebrew_formula(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(programs_module, "EXTRA_DIRS", [])

    with pytest.raises(StackError) as error:
        program_find("mariadbd")

    assert str(error.value) == (
        "mariadbd is not installed: apt-get install mariadb-server (macOS: brew install mariadb)."
    )


def _kind_on_paper(name: str, program: str, offset: int | None):
    return SimpleNamespace(name=name, instance=SimpleNamespace(kind=program), port_offset=offset)


def test_a_listening_port_is_not_free_and_planned_ports_step_aside():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        web_port = port - BACKING_OFFSET - 5
        kinds = [_kind_on_paper("web", "nginx", None), _kind_on_paper("app", "gunicorn", 5)]

        assert not port_is_free(port)
        ports = ports_plan(web_port, kinds)
        assert ports["web"] == web_port and ports["app"] != port


def test_instances_of_one_program_take_consecutive_places_and_given_ports_stay():
    """`up` and `workshop scale` share one allocator: app1, app2… (or db, replica1…) sit
    side by side above the web port, and a scale keeps the ports the running ones have."""
    web_port = 20000 + os.getpid() % 10000
    kinds = [_kind_on_paper(f"app{n}", "gunicorn", 1) for n in (1, 2, 3)]
    base = web_port + BACKING_OFFSET + 1
    planned = ports_plan(web_port, kinds, given={"app1": 1234})

    assert planned["app1"] == 1234
    for place, name in ((1, "app2"), (2, "app3")):  # at its place, unless that is taken
        assert planned[name] == base + place or not port_is_free(base + place)
    assert len(set(planned.values())) == 3


def test_a_zombie_counts_as_gone():
    """Some machines' PID 1 never reaps orphans; a zombie holds no port and no memory."""
    child = subprocess.Popen(["true"])
    deadline = time.monotonic() + 5
    while psutil.Process(child.pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline
        time.sleep(0.01)

    assert psutil.pid_exists(child.pid) and not process_alive(child.pid)
    child.wait()


def test_a_socket_path_too_long_for_unix_moves_to_the_temp_folder(tmp_path):
    deep = tmp_path / ("x" * 120) / "supervisord.sock"

    assert len(str(socket_path(deep))) < 100
    assert socket_path(tmp_path / "a.sock") == tmp_path / "a.sock"


HALF_AN_INSTALL = """#!/bin/sh
# A stand-in for mariadb-install-db that fails half way: the system tables' folder made.
for arg; do case "$arg" in --defaults-file=*) config="${arg#*=}";; esac; done
mkdir -p "$(sed -n 's/^datadir = //p' "$config")/mysql"
exit 1
"""


def test_a_failed_mariadb_install_leaves_no_half_data_directory(tmp_path, monkeypatch):
    """Else the next start would take the half for a whole one, and skip the install."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "mariadb-install-db").write_text(HALF_AN_INSTALL)
    (folder / "mariadb-install-db").chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    db = stack_on_paper(STAGES[0], tmp_path).kind_of("db")

    with pytest.raises(StackError, match="mariadb-install-db failed"):
        db.prepare()

    assert not db.datadir.exists()
    assert (
        db.config_file.exists() and "tmpdir = " + str(db.dir / "tmp") in db.config_file.read_text()
    )
