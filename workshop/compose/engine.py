"""docker-compose.yml as one stage's project: up and waited for, scaled with nginx
reloaded after it, down with nothing left behind."""

import json
import os
import re
import shutil
import subprocess
import time

from workshop import ROOT
from workshop.stack.errors import StackError

URL_VAR = "WORKSHOP_COMPOSE_URL"
COMPOSE_FILE = ROOT / "docker-compose.yml"
ONE_SHOT = {"setup"}  # runs to its end; every other service runs and gets healthy
# The site nginx's entrypoint renders from the stage's template (docker/web/entrypoint).
SITE = "/etc/nginx/conf.d/default.conf"
# nginx's old workers finish the requests they hold within this, or are left to it.
DRAIN_SECONDS = 30
VOLUME_PREFIX = "django-at-scale-"  # then the stage's folder name (docker-compose.yml)


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
        return sorted(found, key=lambda c: (service_of(c), _number(c)))

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
        """`servers` app containers, with nginx reloaded gracefully (nginx 1.22 looks `app`
        up only when it loads its config): new workers send to the containers there are
        now, old ones finish the requests they hold. Down, as the native stack does it:
        nginx first stops sending to the leaving containers, its old workers finish, and
        only then do those containers stop, so no request meets one that is leaving."""
        if servers < 1:
            raise StackError("at least 1 app server")
        running = self.containers("app")
        if servers < len(running):
            self._retire(leaving=running[servers:], staying=running[:servers])
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
        self._nginx_reload()

    def _web(self) -> str:
        web = self.container_ids("web", running_only=True)
        if not web:
            raise StackError("no web container runs: is the stage up?")
        return web[0]

    def _nginx_reload(self) -> None:
        """A graceful reload; returns once nginx's old workers have finished their
        requests (at most DRAIN_SECONDS)."""
        web = self._web()
        docker("exec", web, "nginx", "-s", "reload")
        deadline = time.monotonic() + DRAIN_SECONDS
        time.sleep(0.5)  # the master starts new workers, then tells the old ones to go
        while "shutting down" in docker("top", web) and time.monotonic() < deadline:
            time.sleep(0.2)

    def _retire(self, *, leaving: list[dict], staying: list[dict]) -> None:
        """nginx sends only to ``staying`` (by address, since `app` still names all of
        them), then ``leaving`` stop and go; then nginx asks for `app` again."""
        web = self._web()
        addresses = [_address(c) for c in staying]
        servers = "".join(f"server {a}:8000\\1; " for a in addresses)
        docker("exec", web, "sed", "-i.by-name", f"s/server app:8000\\([^;]*\\);/{servers}/", SITE)
        self._nginx_reload()
        docker("stop", "--time", "20", *[c["Id"] for c in leaving])
        docker("rm", *[c["Id"] for c in leaving])
        docker("exec", web, "mv", f"{SITE}.by-name", SITE)

    def down(self, *, quiet: bool = False) -> None:
        self.run("down", "--volumes", "--remove-orphans", "--timeout", "20", capture=quiet)

    def stages_running(self) -> set[str]:
        """The stages whose volumes (django-at-scale-NN_name-*) the project's containers
        hold: compose runs one stage at a time in a project."""
        mounts = {m.get("Name", "") for c in self.containers() for m in c.get("Mounts", [])}
        return {
            name[len(VOLUME_PREFIX) :].rsplit("-", 1)[0]
            for name in mounts
            if name.startswith(VOLUME_PREFIX)
        }

    def reset(self) -> None:
        """down -v: the stage's containers and its volumes. Refused while the project's
        containers are another stage's, which down would stop."""
        others = self.stages_running() - {self.stage.name}
        if others:
            raise StackError(
                f"compose project {self.project} runs {', '.join(sorted(others))}, not "
                f"{self.stage.name}: reset that stage first (workshop reset NN --compose)"
            )
        self.down()

    def leftovers(self) -> list[str]:
        """What down should have removed: the project's containers, networks and the
        stage's volumes."""
        label = f"label=com.docker.compose.project={self.project}"
        containers = docker("ps", "--all", "--filter", label, "--format", "{{.Names}}").split()
        networks = docker("network", "ls", "--filter", label, "--format", "{{.Name}}").split()
        volumes = docker("volume", "ls", "--format", "{{.Name}}").split()
        prefix = f"{VOLUME_PREFIX}{self.stage.name}-"
        found = [f"container {c}" for c in containers] + [f"network {n}" for n in networks]
        found += [f"volume {v}" for v in volumes if v.startswith(prefix)]
        return found


def _address(container: dict) -> str:
    """The container's address on the project's network, which nginx's upstream names."""
    networks = container["NetworkSettings"]["Networks"].values()
    return next(network["IPAddress"] for network in networks if network["IPAddress"])


def _number(container: dict) -> int:
    return int(container["Config"]["Labels"].get("com.docker.compose.container-number", 0))
