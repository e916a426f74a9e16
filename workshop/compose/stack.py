"""A stage's running compose stack as the shared stack suite sees a native one, and the
environment a stage's README puts before `docker compose up`."""

import re
from pathlib import Path
from urllib.parse import urlsplit

from workshop.stack.errors import StackError
from workshop.stack.ports import HOST
from workshop.stack.runfolder import RUN_ROOT
from workshop.stack.topology import APP, topology_load

from .engine import URL_VAR, VOLUME_PREFIX, Compose, docker, service_of

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
        volume = f"{VOLUME_PREFIX}{self.stage.name}-{name}"
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
        import MySQLdb  # the [mysql] extra: only where a compose stack's db is read

        account = {"user": "shop", "password": "shop", "database": "shop"}
        return MySQLdb.connect(host=HOST, port=self.port, autocommit=True, **account)


def stage_compose_env(stage) -> dict[str, str]:
    """What a stage's README puts before `docker compose up`: its app servers, their CPU
    share and the database's, its replicas; read from its stack.toml, as the native stack
    does."""
    topology = topology_load(stage.path)
    app = topology.service(APP)
    env = {"APP_SCALE": str(app.count), "APP_CPUS": str(app.options.get("cpu_share", 0))}
    env["DB_CPUS"] = str(topology.service("db").options.get("cpu_share", 0))
    if any(service.options.get("role") == "replica" for service in topology.services):
        env["COMPOSE_PROFILES"] = "replicas"
    return env
