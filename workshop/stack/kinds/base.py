"""What the runner needs to know about a kind of service: how to prepare its folder,
the foreground command supervisord runs, and how to tell that it is healthy."""

import http.client
from pathlib import Path

from ..cgroups import join_command
from ..ports import HOST
from ..programs import program_find


class Kind:
    programs: tuple[str, ...] = ()  # checked before anything starts
    # Where its instances sit above the web port (ports.BACKING_OFFSET); None: the web port.
    port_offset: int | None = None
    # Lower priorities start first (each group healthy before the next) and stop last.
    priority = 100
    stop_wait_seconds = 10
    cgroup_procs = None  # the cgroup.procs file it joins when held to a CPU share
    # Held to its share only once the stack is set up: the database, which the catalogue's
    # seed (the workshop's setup, not the shop's traffic) would otherwise slow down.
    capped_after_setup = False

    def __init__(self, stack, instance):
        self.stack = stack
        self.instance = instance

    @property
    def name(self) -> str:
        return self.instance.name

    @property
    def dir(self) -> Path:
        return self.stack.run.instance_dir(self.name)

    @property
    def port(self) -> int:
        return self.stack.ports[self.name]

    @property
    def restarts(self) -> bool:
        """stack.toml's ``restart = true``: supervisord starts it again when it dies."""
        return bool(self.instance.service.options.get("restart", False))

    @property
    def cpu_share(self) -> float | None:
        """stack.toml's ``cpu_share``: the part of a core this server may use (a small
        hosting account's), any server's: app servers and MariaDB servers alike."""
        share = self.instance.service.options.get("cpu_share")
        return float(share) if share else None

    def preflight(self) -> None:
        """Raise StackError when something it needs is missing, before anything starts."""
        for program in self.programs:
            program_find(program)

    def prepare(self) -> None:
        """Write configuration and create data before supervisord starts the program."""
        self.dir.mkdir(parents=True, exist_ok=True)
        if self.cpu_share:
            share = None if self.capped_after_setup else self.cpu_share
            self.cgroup_procs, reason = self.stack.cpu_groups.create(self.name, share)
            if reason:
                self.stack.say_once(f"servers run uncapped, without cpu_share: {reason}")

    def cap(self) -> None:
        """Hold it to its share once the stack is set up (``capped_after_setup``)."""
        if self.cgroup_procs and self.capped_after_setup:
            self.stack.cpu_groups.limit(self.name, self.cpu_share)

    def command(self) -> list[str]:
        raise NotImplementedError

    def capped(self, command: list[str]) -> list[str]:
        """``command``, started inside this server's CPU share if it has one: every child
        it forks (gunicorn's workers, MariaDB's threads) stays in it."""
        return join_command(self.cgroup_procs, command) if self.cgroup_procs else command

    def environment(self) -> dict[str, str]:
        return {}

    def working_dir(self) -> Path:
        return self.dir

    def health(self) -> str | None:
        """None when healthy, else a few words on what is wrong."""
        raise NotImplementedError

    def after_start(self) -> None:
        """Runs once the program is healthy (for example: create the database)."""

    def django_env(self) -> dict[str, str]:
        """The settings the shop reads to find this service (DATABASE_URL, CACHE_URL…)."""
        return {}

    @property
    def output_log(self) -> Path:
        """What the program writes to stdout and stderr, kept by supervisord."""
        return self.dir / "output.log"

    def log_files(self) -> list[Path]:
        return [self.output_log]

    @property
    def failure_log(self) -> Path:
        """Where it says why it failed."""
        return self.output_log

    def last_words(self) -> str:
        """The last line of its failure log, to say why it stopped."""
        try:
            lines = self.failure_log.read_text(errors="replace").strip().splitlines()
        except FileNotFoundError:
            lines = []
        return f"{lines[-1][:200] if lines else 'no output'} (in {self.failure_log})"


def http_get(port: int, path: str = "/", timeout: float = 2.0) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    connection.request("GET", path, headers={"Host": HOST})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def http_health(port: int, path: str = "/") -> str | None:
    try:
        response = http_get(port, path)
    except OSError as error:
        return f"no answer ({error.strerror or error})"
    if response.status >= 500:
        return f"HTTP {response.status}"
    return None
