"""docker-compose.yml runs every stage: the files it names exist, the nginx template of
each stage gets every value it needs, every image is the project's own on Debian 12's
servers, and docker compose accepts the file for each STAGE. No Docker engine is
needed: `docker compose config` only reads. CI's compose pass (.ci/compose) runs it for
real: tests/compose and the shared stack suite on every stage's containers."""

import re
import shutil
import subprocess

import pytest

from workshop import ROOT
from workshop.compose.engine import compose_program
from workshop.stack.errors import StackError
from workshop.stack.kinds.mariadb import MY_CNF
from workshop.stack.kinds.memcached import MEMORY_MB
from workshop.stack.kinds.nginx import SERVER_PARAMETERS
from workshop.stack.templating import PLACEHOLDER
from workshop.stack.topology import topology_load
from workshop.stages import stage_list
from workshop.testing.services import require

COMPOSE_FILE = ROOT / "docker-compose.yml"
NGINX_MAIN = {
    name: ROOT / "workshop" / "stack" / f"nginx-{name}.conf" for name in ("native", "compose")
}
STAGES = stage_list()
DEFAULT = re.compile(r"\$\{(\w+):-([^}]*)\}")


def compose_text(stage_name: str) -> str:
    """The file as compose reads it with STAGE set, other variables at their defaults."""
    text = COMPOSE_FILE.read_text()
    return DEFAULT.sub(lambda m: stage_name if m.group(1) == "STAGE" else m.group(2), text)


def host_paths(text: str) -> list[str]:
    """Every path on the host side: bind mounts, the build context."""
    mounts = re.findall(r"^\s+- (\.{1,2}/[^:\s]+):", text, flags=re.MULTILINE)
    contexts = re.findall(r"^\s+(?:build|context): (\S+)$", text, flags=re.MULTILINE)
    return mounts + contexts


def web_environment(text: str) -> set[str]:
    web = re.search(r"^  web:\n(.*?)^  \w+:\n", text, flags=re.MULTILINE | re.DOTALL).group(1)
    block = re.search(r"^    environment:\n((?:      .*\n|\s*#.*\n)+)", web, flags=re.MULTILINE)
    return set(re.findall(r"^      (\w+):", block.group(1), flags=re.MULTILINE))


def test_the_default_stage_is_stage_01():
    assert "${STAGE:-01_single_instance}" in COMPOSE_FILE.read_text()


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.number)
def test_every_path_the_compose_file_names_exists(stage):
    paths = host_paths(compose_text(stage.name))

    assert any("deploy/nginx.conf.template" in p for p in paths)
    assert [p for p in paths if not (ROOT / p).exists()] == []
    assert (ROOT / "Dockerfile").exists() and (ROOT / ".dockerignore").exists()


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.number)
def test_the_gunicorn_config_the_app_runs_exists(stage):
    command = re.search(r'"gunicorn", "-c", "([^"]+)"', COMPOSE_FILE.read_text()).group(1)

    assert (stage.path / command).exists()


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.number)
def test_the_web_service_sets_every_placeholder_of_the_stage_nginx_template(stage):
    template = (stage.path / "deploy" / "nginx.conf.template").read_text()

    assert set(PLACEHOLDER.findall(template)) <= web_environment(compose_text(stage.name))


@pytest.mark.parametrize("directive", ["worker_connections", "worker_rlimit_nofile"])
def test_nginx_in_its_container_holds_as_many_connections_as_the_native_stack(directive):
    """The image's own nginx.conf allows 1,024 connections a worker; compose mounts ours."""
    values = {
        name: re.search(rf"^\s*{directive} (\d+);", path.read_text(), flags=re.MULTILINE)[1]
        for name, path in NGINX_MAIN.items()
    }

    assert values["compose"] == values["native"]
    assert "/workshop/stack/nginx-compose.conf:/etc/nginx/nginx.conf:ro" in COMPOSE_FILE.read_text()


def test_memcached_in_its_container_has_the_memory_of_the_native_one():
    """Too little, and a full rebuild of stage 04's pages evicts the data it rebuilds from."""
    command = re.search(r'command: \["memcached", "-m", "(\d+)"\]', COMPOSE_FILE.read_text())

    assert command and int(command[1]) == MEMORY_MB


def compose_command() -> list[str]:
    # A docker client alone is not compose: its compose plugin may be missing.
    try:
        return compose_program()
    except StackError:
        require("needs docker compose to validate the file: apt-get install docker-compose")


def _server_settings(text: str) -> dict[str, str]:
    """A my.cnf's settings, less where each server keeps its files and listens."""
    where = {"datadir", "port", "bind-address", "socket", "pid-file", "log-error", "tmpdir"}
    pairs = [line.split("=", 1) for line in text.splitlines() if line and line[0] not in "#["]
    settings = {pair[0].strip(): pair[-1].strip() for pair in pairs}
    return {name: value for name, value in settings.items() if name not in where}


def test_mariadb_in_its_container_runs_with_the_native_servers_settings():
    """docker/db/my.cnf and the native stack's my.cnf (workshop/stack/kinds/mariadb.py)
    tune the server alike: one workshop, measured the same way both ways."""
    container = _server_settings((ROOT / "docker" / "db" / "my.cnf").read_text())

    assert container == _server_settings(MY_CNF)
    assert "innodb_buffer_pool_size" in container


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.number)
def test_docker_compose_accepts_the_file_for_every_stage(stage, monkeypatch):
    monkeypatch.setenv("STAGE", stage.name)
    command = [*compose_command(), "-f", str(COMPOSE_FILE), "config"]

    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)

    assert result.returncode == 0, result.stderr
    assert f"/app/stages/{stage.name}" in result.stdout
    assert f"stages/{stage.name}/deploy/nginx.conf.template" in result.stdout


# From stage 03: several app servers, `--scale app=N`, each held to a CPU share.

SCALED = [s for s in STAGES if topology_load(s.path).service("app").numbered]


def compose_service(output: str, name: str) -> str:
    """One service's block of `docker compose config`'s output."""
    return re.search(rf"^  {name}:\n((?:    .*\n|\s*\n)*)", output, flags=re.MULTILINE).group(1)


@pytest.mark.parametrize("stage", SCALED, ids=lambda s: s.number)
def test_docker_compose_scales_the_app_servers_each_held_to_the_stage_cpu_share(stage, monkeypatch):
    """A stage of several app servers runs them under compose as in stack.toml: N
    replicas, each told how many there are and held to the same share of a CPU."""
    share = topology_load(stage.path).service("app").options["cpu_share"]
    for name, value in {"STAGE": stage.name, "APP_SCALE": "3", "APP_CPUS": str(share)}.items():
        monkeypatch.setenv(name, value)
    command = [*compose_command(), "-f", str(COMPOSE_FILE), "config"]

    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)

    assert result.returncode == 0, result.stderr
    app = compose_service(result.stdout, "app")
    assert "scale: 3\n" in app and f"cpus: {share}\n" in app
    assert "APP_SERVERS: '3'" in app and "SHOP_LOCAL_DIR:" in app
    # A fixed name or a published port would let only one replica start.
    assert "container_name:" not in app and "ports:" not in app


def test_nginx_in_its_container_finds_the_app_replicas_there_are_when_it_loads():
    """Debian 12's nginx (1.22) has no `server … resolve`: it looks `app` up, every
    replica's address, when it loads its config; `workshop scale NN N --compose` reloads
    it after scaling. Each server it finds is left out after failures as the native
    stack's are (stage 03's bounds on retries)."""
    text = COMPOSE_FILE.read_text()
    servers = re.search(r'^\s+APP_SERVERS: "([^"]+)"', text, flags=re.MULTILINE).group(1)

    assert servers == f"server app:8000 {SERVER_PARAMETERS};"
    assert (
        "nginx" in re.search(r"apt-get install .*", (DOCKER / "web" / "Dockerfile").read_text())[0]
    )


def test_a_crashed_app_server_is_started_again():
    """As supervisord does natively (restart = true): a container whose process dies is
    restarted; one stopped by hand (docker stop, scaling down) is not."""
    app = re.search(r"^  app:\n((?:    .*\n|\s*#.*\n)+)", COMPOSE_FILE.read_text(), re.MULTILINE)

    assert "    restart: on-failure\n" in app.group(1)


# Every image the project's own, from debian:bookworm-slim with Debian 12's packages: the
# only image ever pulled is the base (docker/base-image makes it where none can be).

DOCKER = ROOT / "docker"


def test_every_service_builds_its_image_from_the_project_dockerfiles():
    text = COMPOSE_FILE.read_text()
    images = set(re.findall(r"^\s+image: (\S+)$", text, flags=re.MULTILINE))
    contexts = re.findall(r"^\s+build: (\S+)$", text, flags=re.MULTILINE)

    assert images == {f"django-at-scale-{name}" for name in ("app", "web", "cache", "db")}
    assert sorted(contexts) == [".", "docker/cache", "docker/db", "docker/web"]
    for context in contexts:
        dockerfile = (ROOT / context / "Dockerfile").read_text()
        bases = re.findall(r"^FROM (\S+)", dockerfile, flags=re.MULTILINE)
        assert bases and set(bases) == {"debian:bookworm-slim"}, context
        assert "pip install" not in dockerfile or "--no-index" in dockerfile


# Stage 05: a primary and read replicas, the `replicas` profile.

REPLICATED = [
    s for s in STAGES if any(k.options.get("role") for k in topology_load(s.path).services)
]


def compose_config(monkeypatch, **env) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    command = [*compose_command(), "-f", str(COMPOSE_FILE), "config"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout


def service_options(block: str) -> list[str]:
    """The --options of a service's command, as `config` lists them."""
    command = re.search(r"^    command:\n((?:    - .*\n)+)", block, flags=re.MULTILINE)
    return re.findall(r"^    - (\S+)$", command.group(1), flags=re.MULTILINE) if command else []


def service_env(block: str) -> dict[str, str]:
    found = re.search(r"^    environment:\n((?:      .*\n)+)", block, flags=re.MULTILINE)
    pairs = re.findall(r"^      (\w+): (.*)$", found.group(1), flags=re.MULTILINE)
    return {name: value.strip("'\"") for name, value in pairs}


@pytest.mark.parametrize("stage", REPLICATED, ids=lambda s: s.number)
def test_docker_compose_runs_the_replicas_of_stack_toml_each_replicating_from_db(
    stage, monkeypatch
):
    """The replicas stack.toml declares, under compose: each named as natively, with a
    server id of its own after db's, read_only, pointed at db with db's replication
    account, in the `replicas` profile, and healthy only while both threads run."""
    replica_service = next(
        s for s in topology_load(stage.path).services if s.options.get("role") == "replica"
    )
    names = [instance.name for instance in replica_service.instances()]
    output = compose_config(monkeypatch, STAGE=stage.name, COMPOSE_PROFILES="replicas")
    db = compose_service(output, "db")
    db_env = service_env(db)

    assert {"--log-bin", "--server-id=1", "--binlog-format=ROW"} <= set(service_options(db))
    server_ids = set()
    for name in names:
        block = compose_service(output, name)
        options, env = service_options(block), service_env(block)
        server_ids |= {option for option in options if option.startswith("--server-id=")}
        assert "--read-only=ON" in options
        assert env["MARIADB_MASTER_HOST"] == "db"
        for setting in ("MARIADB_REPLICATION_USER", "MARIADB_REPLICATION_PASSWORD"):
            assert env[setting] == db_env[setting]
        assert "- replicas\n" in block and f"- {name}:/var/lib/mysql" in block
        assert "- db-healthcheck\n" in block  # healthy once both replication threads run
    assert server_ids == {f"--server-id={n + 2}" for n in range(len(names))}


@pytest.mark.parametrize("stage", REPLICATED, ids=lambda s: s.number)
def test_the_app_reads_from_every_replica_as_the_same_account_that_writes_to_db(stage, monkeypatch):
    """The app's account has no global privilege (the image's MARIADB_USER), so a
    write misrouted to a read_only replica fails."""
    output = compose_config(monkeypatch, STAGE=stage.name, COMPOSE_PROFILES="replicas")
    env = service_env(compose_service(output, "app"))
    primary = re.fullmatch(r"mysql://(\w+:\w+)@db:3306/(\w+)", env["DATABASE_URL"])
    replica_service = next(
        s for s in topology_load(stage.path).services if s.options.get("role") == "replica"
    )
    account, database = primary.groups()

    assert env["DATABASE_REPLICA_URLS"].split(",") == [
        f"mysql://{account}@{i.name}:3306/{database}" for i in replica_service.instances()
    ]
    assert (
        account.split(":")[0]
        == service_env(compose_service(output, "db"))["MARIADB_USER"]
        != "root"
    )


# The web image's entrypoint renders the stage's template as the native stack does.

WEB_ENTRYPOINT = DOCKER / "web" / "entrypoint"
WEB_VALUES = {
    "LISTEN": "80",
    "APP_SERVERS": "server app:8000;",
    "STATIC_ROOT": "/srv/var/static",
    "PAGE_FILES_DIR": "/srv/var/pages",
}


def web_entrypoint(template, tmp_path, values: dict[str, str]):
    """The entrypoint with its paths in tmp_path and `cat` for nginx: the site it wrote."""
    if not shutil.which("envsubst"):
        require("needs envsubst to render the template: apt-get install gettext-base")
    script = WEB_ENTRYPOINT.read_text().replace("/etc/nginx/conf.d/", f"{tmp_path}/")
    (tmp_path / "entrypoint").write_text(script)
    env = {"PATH": "/usr/bin:/bin", "TEMPLATE": str(template), **values}
    command = ["sh", str(tmp_path / "entrypoint"), "cat", str(tmp_path / "default.conf")]
    return subprocess.run(command, env=env, capture_output=True, text=True)


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: s.number)
def test_the_web_image_renders_the_stage_template_as_the_native_stack_does(stage, tmp_path):
    from workshop.stack.templating import render

    template = stage.path / "deploy" / "nginx.conf.template"

    result = web_entrypoint(template, tmp_path, WEB_VALUES)

    assert result.returncode == 0, result.stderr
    assert result.stdout == render(template.read_text(), WEB_VALUES)


def test_the_web_image_refuses_a_template_whose_placeholder_it_does_not_set(tmp_path):
    values = {k: v for k, v in WEB_VALUES.items() if k != "STATIC_ROOT"}

    result = web_entrypoint(STAGES[0].path / "deploy" / "nginx.conf.template", tmp_path, values)

    assert result.returncode != 0 and "${STATIC_ROOT}" in result.stderr
