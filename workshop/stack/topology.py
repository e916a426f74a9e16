"""A stage's topology, declared in its deploy/stack.toml: which services it runs, of
which kind, how many of each. The runner knows the kinds; the stage only names them."""

from dataclasses import dataclass, field, replace
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

from .errors import StackError

TOPOLOGY_FILE = "deploy/stack.toml"
# The app servers, by the name stack.toml gives their service (as the topology pictures
# and docker-compose.yml do): what `workshop scale` and a benchmark's server count change.
APP = "app"


@dataclass(frozen=True)
class Service:
    name: str  # as in the topology pictures and docker-compose.yml: web, app, cache, db
    kind: str  # the program that runs it: nginx, gunicorn, memcached, mariadb
    count: int = 1
    options: dict = field(default_factory=dict)  # kind-specific, e.g. a config file
    # app1, app2…: declared with several, so a scaled count keeps each instance's name.
    numbered: bool = False

    def instances(self) -> list["Instance"]:
        if self.count == 1 and not self.numbered:
            return [Instance(self, self.name, 1)]
        return [Instance(self, f"{self.name}{n}", n) for n in range(1, self.count + 1)]


@dataclass(frozen=True)
class Instance:
    """One running copy of a service: one supervisord program, one port, one folder."""

    service: Service
    name: str  # "app", or "app1", "app2"… when a service runs several
    number: int  # 1-based, among the instances of its service

    @property
    def kind(self) -> str:
        return self.service.kind


@dataclass(frozen=True)
class Topology:
    services: tuple[Service, ...]

    def instances(self) -> list[Instance]:
        return [i for s in self.services for i in s.instances()]

    def service(self, name: str) -> Service | None:
        return next((s for s in self.services if s.name == name), None)

    def instances_of(self, service: str) -> list[Instance]:
        return [i for i in self.instances() if i.service.name == service]

    def with_count(self, service: str, count: int) -> "Topology":
        """The same topology with ``count`` instances of ``service`` (`workshop scale`, a
        benchmark's number of app servers), numbered from 1."""
        return Topology(
            tuple(
                replace(s, count=count, numbered=True) if s.name == service else s
                for s in self.services
            )
        )


def topology_load(stage_path: Path) -> Topology:
    path = stage_path / TOPOLOGY_FILE
    if not path.exists():
        raise StackError(f"{path} is missing: it declares the services of the stage's stack.")
    with path.open("rb") as file:
        tables = tomllib.load(file)
    services = []
    for name, table in tables.items():
        options = dict(table)
        try:
            kind = options.pop("kind")
        except KeyError:
            raise StackError(f"{path}: [{name}] needs a kind") from None
        count = int(options.pop("count", 1))
        services.append(Service(name, kind, count, options, numbered=count > 1))
    return Topology(tuple(services))
