"""docker-compose.yml driven from the workshop's tooling: a stage's stack in containers
brought up and waited for, its app service scaled with nginx reloaded after it
(`workshop scale NN N --compose`), taken down with nothing left behind, and seen by the
shared stack suite (tests/stack) as the native stack is (WORKSHOP_COMPOSE_URL).

Either compose works: Debian 12's `docker-compose` 1.29 (tested here) or the `docker
compose` v2 plugin. The project is COMPOSE_PROJECT_NAME, else the checkout's folder name,
as compose itself takes it; the file is COMPOSE_FILE, else docker-compose.yml."""

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

from . import ROOT
from .stack.errors import StackError
from .stack.ports import HOST
from .stack.runfolder import RUN_ROOT
from .stack.topology import APP, topology_load

URL_VAR = "WORKSHOP_COMPOSE_URL"
COMPOSE_FILE = ROOT / "docker-compose.yml"
ONE_SHOT = {"setup"}  # runs to its end; every other service runs and gets healthy


def compose_program() -> list[str]:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    docker = shutil.which("docker")
    plugin = docker and subprocess.run([docker, "compose", "version"], capture_output=True)
    if plugin and plugin.returncode == 0:
        return [docker, "compose"]
    raise StackError("docker compose is missing: apt-get install docker.io docker-compose")


def project_name() -> str:
    name = os.environ.get("COMPOSE_PROJECT_NAME") or ROOT.name
    return re.sub(r"[^a-z0-9_-]", "", name.lower())


def service_of(container: dict) -> str:
    return container["Config"]["Labels"]["com.docker.compose.service"]


def docker(*args: str, check: bool = True) -> str:
    result = subprocess.run(["docker", *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise StackError(f"docker {' '.join(args[:2])}: {result.stderr.strip()[-300:]}")
    return result.stdout


class Compose:
    """One stage's compose project: STAGE set, the rest of the environment as given."""

    def __init__(self, stage, *, env: dict[str, str] | None = None):
        self.stage = stage
        self.project = project_name()
        self.env = {**os.environ, "STAGE": stage.name, "COMPOSE_PROJECT_NAME": self.project}
        self.env.update(env or {})
        self.env.setdefault("COMPOSE_FILE", str(COMPOSE_FILE))

    def run(self, *args: str, capture: bool = False) -> str:
        result = subprocess.run(
            [*compose_program(), *args],
            env=self.env,
            cwd=ROOT,
            text=True,
            capture_output=capture,
        )
        if result.returncode != 0:
            detail = (result.stderr or "").strip()[-500:] if capture else "(its output above)"
            raise StackError(f"compose {' '.join(args)} failed: {detail}")
        return result.stdout or ""

    # What runs

    def container_ids(self, service: str | None = None, *, running_only=False) -> list[str]:
        filters = ["--filter", f"label=com.docker.compose.project={self.project}"]
        if service:
            filters += ["--filter", f"label=com.docker.compose.service={service}"]
        return docker(
            "ps", "--quiet", "--no-trunc", *([] if running_only else ["--all"]), *filters
        ).split()

    def inspect(self, ids: list[str]) -> list[dict]:
        return json.loads(docker("inspect", *ids)) if ids else []

    def containers(self, service: str | None = None) -> list[dict]:
        """Each container's docker inspect, in compose's order (app_1, app_2, …)."""
        found = self.inspect(self.container_ids(service))
        return sorted(found, key=lambda c: c["Name"])

    def waiting_for(self) -> list[str]:
        """The containers not yet ready: one-shots not done, the others not healthy."""
        waiting = []
        for c in self.containers():
            state = c["State"]
            if service_of(c) in ONE_SHOT:
                if state["Status"] == "exited" and state["ExitCode"] != 0:
                    raise StackError(f"{c['Name'][1:]} failed: {self.logs(c['Id'])}")
                ready = state["Status"] == "exited"
            else:
                ready = state.get("Health", {}).get("Status", "healthy") == "healthy"
                ready = ready and state["Status"] == "running"
            if not ready:
                waiting.append(c["Name"][1:])
        return waiting

    def wait_ready(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while waiting := self.waiting_for():
            if time.monotonic() > deadline:
                last = self.logs(waiting[0])
                raise StackError(f"not ready after {timeout:.0f} s: {', '.join(waiting)}: {last}")
            time.sleep(1)

    def logs(self, container: str, lines: int = 5) -> str:
        result = subprocess.run(
            ["docker", "logs", "--tail", str(lines), container], capture_output=True, text=True
        )
        return " | ".join((result.stdout + result.stderr).strip().splitlines())

    # Up, scale, down

    def up(self, *, build: bool = False) -> None:
        self.run("up", "--detach", *(["--build"] if build else ["--no-build"]))
        self.wait_ready()

    def scale(self, servers: int) -> None:
        """`servers` app containers, then nginx reloaded gracefully (nginx 1.22 looks `app`
        up only when it loads its config): new workers send to the containers there are
        now, old ones finish the requests they hold. A container leaving stops
        gracefully first (gunicorn finishes its requests); one nginx still sends to is
        refused and the request passes to the next server (the stage's
        proxy_next_upstream)."""
        if servers < 1:
            raise StackError("at least 1 app server")
        self.run(
            "up",
            "--detach",
            "--no-deps",
            "--no-recreate",
            "--no-build",
            "--scale",
            f"app={servers}",
            "app",
        )
        self.wait_ready()
        web = self.container_ids("web", running_only=True)
        if not web:
            raise StackError("no web container runs: is the stage up?")
        docker("exec", web[0], "nginx", "-s", "reload")

    def down(self, *, quiet: bool = False) -> None:
        self.run("down", "--volumes", "--remove-orphans", "--timeout", "20", capture=quiet)

    def leftovers(self) -> list[str]:
        """What down should have removed: the project's containers, networks and the
        stage's volumes."""
        label = f"label=com.docker.compose.project={self.project}"
        containers = docker("ps", "--all", "--filter", label, "--format", "{{.Names}}").split()
        networks = docker("network", "ls", "--filter", label, "--format", "{{.Name}}").split()
        volumes = docker("volume", "ls", "--format", "{{.Name}}").split()
        prefix = f"django-at-scale-{self.stage.name}-"
        found = [f"container {c}" for c in containers] + [f"network {n}" for n in networks]
        found += [f"volume {v}" for v in volumes if v.startswith(prefix)]
        return found


# A line of gunicorn's access log (deploy/gunicorn.conf.py) for a request nginx forwarded:
# it starts with X-Forwarded-For, an address; a request from no proxy starts with "-".
FORWARDED = re.compile(r'"log":"[0-9a-f.:]+ \\"[A-Z]+ ')


def forwarded_requests(container: dict) -> int:
    """How many requests through nginx an app container's log holds (docker's json log
    file on the host: root reads it)."""
    path = Path(container["LogPath"])
    return len(FORWARDED.findall(path.read_text(errors="replace"))) if path.exists() else 0


class ComposeStack:
    """A stage's running compose stack, for the shared stack suite, with what its tests
    ask of a native stack: url, ports, the app's MariaDB, the var folder, the app
    servers' access logs, the services' processes, down. Its db and cache ports are
    published on 127.0.0.1 by docker/compose-test.yml (COMPOSE_FILE names both files)."""

    def __init__(self, stage, url: str):
        self.stage, self.url = stage, url.rstrip("/")
        self.compose = Compose(stage)
        services = {service_of(c): c for c in self.compose.containers()}
        if "web" not in services or "app" not in services:
            project = self.compose.project
            raise StackError(f"{URL_VAR}={url}: no web and app in compose project {project}")
        env = dict(e.split("=", 1) for e in services["app"]["Config"]["Env"])
        served = Path(env.get("PYTHONPATH", "")).name
        if served != stage.name:
            raise StackError(f"{URL_VAR}={url} serves {served}, not {stage.name}")
        self.ports = {
            "web": urlsplit(self.url).port or 80,
            "db": self._port("db", 3306),
            "cache": self._port("cache", 11211),
        }
        self.run = _RunFolder(RUN_ROOT / "compose" / stage.name, self._volume_path("var"))

    def _port(self, service: str, port: int) -> int:
        published = self.compose.run("port", service, str(port), capture=True).strip()
        if not published:
            files = "COMPOSE_FILE=docker-compose.yml:docker/compose-test.yml"
            raise StackError(f"{service}:{port} is not published on the host: {files}")
        return int(published.rsplit(":", 1)[1])

    def _volume_path(self, name: str) -> Path:
        volume = f"django-at-scale-{self.stage.name}-{name}"
        return Path(docker("volume", "inspect", "--format", "{{.Mountpoint}}", volume).strip())

    def kind_of(self, name: str):
        if name != "db":
            raise KeyError(name)
        return _Database(self.ports["db"])

    def access_log_size(self) -> int:
        """Lines of the app containers' logs that are requests nginx forwarded (its
        X-Forwarded-For first): the healthchecks' own requests (from no proxy, "-") left
        out, so that only the requests through nginx make it grow."""
        return sum(forwarded_requests(c) for c in self.compose.containers("app"))

    def service_pids(self) -> dict[str, list[int]]:
        pids: dict[str, list[int]] = {}
        for container in self.compose.containers():
            if container["State"]["Pid"]:
                pids.setdefault(service_of(container), []).append(container["State"]["Pid"])
        return pids

    def down(self) -> None:
        self.compose.down()
        left = self.compose.leftovers()
        if left:
            raise StackError(f"compose down -v left {', '.join(left)}")


class _RunFolder:
    def __init__(self, path: Path, var_dir: Path):
        path.mkdir(parents=True, exist_ok=True)
        self.path, self.var_dir = path, var_dir


class _Database:
    def __init__(self, port: int):
        self.port = port

    def connect(self):
        import MySQLdb

        account = {"user": "shop", "password": "shop", "database": "shop"}
        return MySQLdb.connect(host=HOST, port=self.port, autocommit=True, **account)


# The compose pass of CI (.ci/compose): every stage from a clean state, as its README
# runs it, with the shared stack suite and the stage's own compose tests on it.

COMPOSE_TESTS = ROOT / "tests" / "compose"
TEST_FILE = ROOT / "docker" / "compose-test.yml"


def stage_compose_env(stage) -> dict[str, str]:
    """What a stage's README puts before `docker compose up`: its app servers, their CPU
    share, its replicas; read from its stack.toml, as the native stack does."""
    topology = topology_load(stage.path)
    app = topology.service(APP)
    env = {"APP_SCALE": str(app.count), "APP_CPUS": str(app.options.get("cpu_share", 0))}
    if any(service.options.get("role") == "replica" for service in topology.services):
        env["COMPOSE_PROFILES"] = "replicas"
    return env


def compose_pass(stages) -> bool:
    from .stack.ports import port_pick_free
    from .testrun import STACK_TESTS, stage_suite_run, suite_run, summary_print

    results, ok = [], True
    for stage in stages:
        port = port_pick_free()
        env = {**stage_compose_env(stage), "WEB_PORT": str(port)}
        env["COMPOSE_FILE"] = os.pathsep.join([str(COMPOSE_FILE), str(TEST_FILE)])
        compose = Compose(stage, env=env)
        started = time.monotonic()
        compose.down(quiet=True)  # a clean state: whatever an earlier run left
        try:
            compose.up()
        except StackError as error:
            print(f"compose: stage {stage.number} did not come up: {error}", flush=True)
            compose.run("ps")
            compose.down()
            ok = False
            continue
        print(f"compose: stage {stage.number} up in {time.monotonic() - started:.0f} s", flush=True)
        # The test processes inherit the stack's settings (stage_suite_run passes
        # os.environ on), and this process gets its own back after them.
        names = {URL_VAR, "STAGE", "COMPOSE_PROJECT_NAME", *env}
        saved = {name: os.environ.get(name) for name in names}
        os.environ.update({name: compose.env[name] for name in names - {URL_VAR}})
        os.environ[URL_VAR] = f"http://{HOST}:{port}"
        try:
            own = sorted(COMPOSE_TESTS.glob(f"test_{stage.number}_*.py"))
            if own:  # before the shared suite, whose last test takes the stack down
                results.append(suite_run(f"compose {stage.number}", own))
            results.append(stage_suite_run(stage, tests=[STACK_TESTS]))
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            compose.down()
        left = compose.leftovers()
        if left:
            print(f"compose: stage {stage.number}: down -v left {', '.join(left)}", flush=True)
            ok = False
        print(f"compose: stage {stage.number} took {time.monotonic() - started:.0f} s", flush=True)
    return summary_print(results) and ok


if __name__ == "__main__":
    import sys

    from .stages import stage_list, stage_resolve

    wanted = [stage_resolve(number) for number in sys.argv[1:]] or stage_list()
    sys.exit(0 if compose_pass(wanted) else 1)
