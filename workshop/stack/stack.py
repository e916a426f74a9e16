"""Stack: one stage's topology running natively. The API the CLI, the stack tests and
the measurement notebooks share."""

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import instances
from .cgroups import CpuGroups
from .errors import StackError
from .kinds import Kind, kind_class
from .ports import HOST, ports_plan, web_port_check
from .processes import process_identity, process_tree
from .provision import provision
from .runfolder import RunFolder
from .scaling import servers_check, stack_scale
from .starting import not_running, services_start
from .stopping import leftovers_stop, stack_stop
from .supervisor import Supervisor
from .topology import APP, topology_load

DEFAULT_PORT = 8000


class Stack:
    def __init__(
        self, stage, run: RunFolder, web_port: int, *, quiet=False, app_servers: int | None = None
    ):
        if app_servers is not None:
            servers_check(app_servers, stage_number=stage.number)
        self.stage = stage
        self.run = run
        self.web_port = web_port
        self.quiet = quiet
        self.app_servers = app_servers
        self.supervisor = Supervisor(run.path)
        self.cpu_groups = CpuGroups(run.path)
        self.ports: dict[str, int] = run.state().ports
        self._said: set[str] = set()
        self.topology_apply()

    @classmethod
    def for_stage(
        cls, stage, port=None, *, run_dir: Path | None = None, quiet=False, app_servers=None
    ):
        """The stack of ``stage``; ``port`` None means the one it last ran on, or 8000.
        ``run_dir`` puts a second stack of the same stage elsewhere (the stack tests);
        ``app_servers`` runs that many app servers instead of stack.toml's count."""
        run = RunFolder(run_dir) if run_dir else RunFolder.for_stage_name(stage.name)
        if port is None:
            port = run.state().web_port or DEFAULT_PORT
        return cls(stage, run, port, quiet=quiet, app_servers=app_servers)

    def topology_apply(self) -> None:
        """stack.toml's topology with the number of app servers this stack runs: the
        one `workshop scale` left in the run folder's state, or the one asked for."""
        self.topology = topology_load(self.stage.path)
        servers = self.app_servers or self.run.state().app_servers
        if servers:
            self.topology = self.topology.with_count(APP, servers)
        self.kinds: list[Kind] = sorted(
            (kind_class(i.kind)(self, i) for i in self.topology.instances()),
            key=lambda kind: kind.priority,
        )

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.web_port}"

    def say(self, message: str) -> None:
        if not self.quiet:
            print(f"[{self.stage.number}] {message}", flush=True)

    def say_once(self, message: str) -> None:
        if message not in self._said:
            self._said.add(message)
            self.say(message)

    def kind_of(self, name: str) -> Kind:
        """The instance ``name`` (app2, replica1…) of this stack."""
        kind = next((k for k in self.kinds if k.name == name), None)
        if kind is None:
            names = ", ".join(k.name for k in self.kinds)
            raise StackError(f"no instance {name!r} in stage {self.stage.number}: choose {names}")
        return kind

    def apps(self) -> list[Kind]:
        """The app servers, app1, app2… (or app alone)."""
        return [kind for kind in self.kinds if kind.instance.service.name == APP]

    def env(self) -> dict[str, str]:
        """What manage.py needs to run against this stack (the app servers get the same)."""
        env = {
            "SHOP_VAR_DIR": str(self.run.var_dir),
            "DJANGO_SECRET_KEY": self.run.secret_key(),
            # How many app servers share this stack, for manage.py too: from stage 03 on a
            # system check refuses state kept on one server, and `up` runs it (migrate)
            # before the servers start. Each server is told again (it may come from scale).
            "APP_SERVERS": str(len(self.topology.instances_of(APP))),
        }
        for kind in self.kinds:
            if kind.name in self.ports:
                env.update(kind.django_env())
        return env

    # Up

    def up(self) -> None:
        """Start whatever is not running yet; return once every service is healthy.
        When a service cannot start, stop the others: no half stack stays behind."""
        started = time.monotonic()
        with self.run.lock():
            running_port = self.run.state().web_port
            if self.supervisor.is_running() and running_port != self.web_port:
                number = self.stage.number
                message = f"stage {number} is up on port {running_port}: workshop down {number}"
                raise StackError(message)
            if self.is_up():
                self.say(f"already up at {self.url}")
                return
            try:
                self._up()
            except BaseException:
                stack_stop(self)  # no half stack stays behind
                raise
            self.say(f"up at {self.url} ({time.monotonic() - started:.1f} s)")

    def _up(self) -> None:
        for kind in self.kinds:
            kind.preflight()
        if not self.supervisor.is_running():
            leftovers_stop(self)
            # A cold start runs stack.toml's number of app servers, or the one asked for.
            self.run.state_update(app_servers=self.app_servers)
            self.topology_apply()
            web_port_check(self.web_port, self.stage.number)
            self.ports = ports_plan(self.web_port, self.kinds)
            self.run.state_update(web_port=self.web_port, ports=self.ports, stage=self.stage.name)
            # At once: each MariaDB server of a stage (stage 05 runs three) spends a few
            # seconds creating its data directory.
            with ThreadPoolExecutor() as pool:
                list(pool.map(lambda kind: kind.prepare(), self.kinds))
            self.supervisor.write_config(self.stage.name, self.kinds)
            self.supervisor.start(env=self.stage.env(**self.env()))
        # By priority: databases and caches, then the app servers, then nginx (which
        # would mark app servers that do not answer yet as failed for a while).
        for priority in sorted({kind.priority for kind in self.kinds}):
            group = [kind for kind in self.kinds if kind.priority == priority]
            if not_running(self, [kind for kind in group if kind in self.apps()]):
                provision(self)  # before the first app server serves a request
            services_start(self, group)
        for kind in self.kinds:
            kind.cap()
        self.run.state_update(pids=[process_identity(p) for p in self.all_pids()])

    # State

    def is_up(self) -> bool:
        if not_running(self, self.kinds):
            return False
        return all(kind.health() is None for kind in self.kinds)

    def service_pids(self) -> dict[str, list[int]]:
        """Every process of each service, workers included, by service name."""
        processes = self.supervisor.processes()
        pids: dict[str, list[int]] = {}
        for kind in self.kinds:
            pid = processes.get(kind.name, {}).get("pid", 0)
            if pid:
                pids.setdefault(kind.instance.service.name, []).extend(process_tree(pid))
        return pids

    def all_pids(self) -> list[int]:
        """supervisord's and every service's, for down to check."""
        pids = [pid for group in self.service_pids().values() for pid in group]
        supervisord = self.supervisor.pid()
        return [supervisord, *pids] if supervisord else pids

    def status(self) -> list[dict]:
        """One row per service instance: name, kind, port, pid, state, health."""
        processes = self.supervisor.processes()
        rows = []
        for kind in self.kinds:
            info = processes.get(kind.name, {})
            running = info.get("statename") == "RUNNING"
            rows.append(
                {
                    "name": kind.name,
                    "kind": kind.instance.kind,
                    "port": self.ports.get(kind.name),
                    "pid": info.get("pid") or None,
                    "state": info.get("statename", "DOWN").lower(),
                    "health": (kind.health() or "ok") if running else "-",
                }
            )
        return rows

    def scale(self, servers: int) -> None:
        """Run ``servers`` app servers from now on, while the shop serves (scaling.py)."""
        with self.run.lock():
            stack_scale(self, servers)

    # One instance, by name, while the rest runs: the fault drills (instances.py)

    def instance_stop(self, name: str) -> None:
        instances.instance_stop(self, name)

    def instance_kill(self, name: str) -> int:
        return instances.instance_kill(self, name)

    def instance_start(self, name: str) -> None:
        instances.instance_start(self, name)

    # Down

    def down(self) -> None:
        """Stop exactly what up started; verify no process and no listening port remains."""
        with self.run.lock():
            self.say("down" if stack_stop(self) else "not up")
