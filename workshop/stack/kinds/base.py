"""What the runner needs to know about a kind of service: how to prepare its folder,
the foreground command supervisord runs, and how to tell that it is healthy."""

import http.client
from pathlib import Path

from ..ports import HOST
from ..programs import program_find


class Kind:
    programs: tuple[str, ...] = ()  # checked before anything starts
    # Where its instances sit above the web port (ports.BACKING_OFFSET); None: the web port.
    port_offset: int | None = None
    # Lower priorities start first (each group healthy before the next) and stop last.
    priority = 100
    stop_wait_seconds = 10

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

    def preflight(self) -> None:
        """Raise StackError when something it needs is missing, before anything starts."""
        for program in self.programs:
            program_find(program)

    def prepare(self) -> None:
        """Write configuration and create data before supervisord starts the program."""
        self.dir.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        raise NotImplementedError

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
