"""The run folder of a stage's stack, .run/NN_name/: one subfolder per service instance,
the stage's var/ (static files, sessions), supervisord's files, and state.json, which
remembers the ports and pids so that status, down and the tests find them."""

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from workshop import ROOT

RUN_ROOT = ROOT / ".run"


@dataclass(frozen=True)
class RunState:
    """What state.json remembers of a stack from one command to the next."""

    stage: str | None = None
    web_port: int | None = None
    ports: dict[str, int] = field(default_factory=dict)  # instance name -> its port
    app_servers: int | None = None  # as `workshop scale` left it; None: stack.toml's
    pids: list = field(default_factory=list)  # process identities, for down to check
    secret_key: str | None = None  # one per run folder, so sessions survive a restart
    passwords: dict[str, str] = field(default_factory=dict)  # database accounts'


class RunFolder:
    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def for_stage_name(cls, name: str) -> "RunFolder":
        return cls(RUN_ROOT / name)

    def instance_dir(self, name: str) -> Path:
        return self.path / name

    @property
    def var_dir(self) -> Path:
        """The stage's SHOP_VAR_DIR: collected static files, sessions."""
        return self.path / "var"

    @property
    def state_file(self) -> Path:
        return self.path / "state.json"

    def state(self) -> RunState:
        """The one reader of state.json (an older folder's unknown keys are left out)."""
        try:
            saved = json.loads(self.state_file.read_text())
        except FileNotFoundError:
            return RunState()
        known = {f.name for f in dataclasses.fields(RunState)}
        return RunState(**{key: value for key, value in saved.items() if key in known})

    def state_update(self, **changes) -> RunState:
        """The one writer of state.json: the state with ``changes``, written at once."""
        state = dataclasses.replace(self.state(), **changes)
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(dataclasses.asdict(state), indent=2, sort_keys=True) + "\n")
        tmp.replace(self.state_file)
        return state

    def secret_key(self) -> str:
        """One key per run folder, kept, so sessions survive a restart of the stack."""
        key = self.state().secret_key
        if not key:
            key = self.state_update(secret_key=secrets.token_urlsafe(50)).secret_key
        return key

    def password(self, account: str) -> str:
        """A database account's password (stage 05's app and replication accounts): made
        once per run folder and kept, as the servers' data that holds it is kept."""
        passwords = self.state().passwords
        if account not in passwords:
            passwords = {**passwords, account: secrets.token_urlsafe(18)}
            self.state_update(passwords=passwords)
        return passwords[account]

    @contextlib.contextmanager
    def lock(self):
        """One up or down at a time per stack (two terminals, a notebook and a test)."""
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / ".lock", "w") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            yield


def socket_path(path: Path) -> Path:
    """``path``, or a short stand-in under /tmp when ``path`` is too long for a Unix
    socket (104 bytes on macOS), as it is in a deeply nested checkout."""
    if len(str(path)) < 100:
        return path
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"workshop-{digest}-{path.name}"
