"""`workshop doctor`: what this laptop has for each way of running the workshop, and the
command that installs each piece it lacks. Programs are found as the stack runner finds
them (workshop/stack/programs.py, /usr/sbin included), compose as the compose tooling
picks it, and a stage's servers are the ones its deploy/stack.toml declares."""

import importlib.metadata
import importlib.util
import re
import subprocess
import sys
from dataclasses import dataclass

from workshop.compose.engine import COMPOSE_FILE, compose_program
from workshop.stack import Stack
from workshop.stack.errors import StackError
from workshop.stack.programs import install_hint, program_find

SETUP = "make setup"
PYTHON = (
    "3.10 or newer: apt-get install python3.11 python3.11-venv (macOS: brew install "
    "python@3.12), then make setup with PYTHON=python3.11 (or python3.12)"
)
VENV = "apt-get install python3-venv, then make setup (macOS: make setup)"
MYSQLCLIENT = (
    "apt-get install libmariadb-dev pkg-config, then make setup "
    "(macOS: brew install mariadb-connector-c pkg-config, then make setup)"
)
ENGINE = "sudo systemctl start docker, or sudo dockerd & without systemd (macOS: open -a Docker)"
IMAGES = "make wheelhouse, then COMPOSE_PROFILES=replicas docker compose build"


@dataclass(frozen=True)
class Piece:
    name: str
    found: str | None  # where it is, or its version; None: missing
    install: str = ""  # the commands that get it

    def line(self) -> str:
        if self.found is None:
            return f"  missing  {self.name:<20} {self.install}"
        return f"  ok       {self.name:<20} {self.found}"


@dataclass(frozen=True)
class Section:
    title: str
    pieces: list[Piece]

    @property
    def missing(self) -> list[str]:
        return [piece.name for piece in self.pieces if piece.found is None]


def program(name: str) -> Piece:
    try:
        return Piece(name, program_find(name))
    except StackError:
        return Piece(name, None, install_hint(name))


def module(name: str, distribution: str, install: str = SETUP) -> Piece:
    if importlib.util.find_spec(name) is None:
        return Piece(distribution, None, install)
    try:
        return Piece(distribution, importlib.metadata.version(distribution))
    except importlib.metadata.PackageNotFoundError:
        return Piece(distribution, "importable")


def embedded() -> Section:
    version = ".".join(map(str, sys.version_info[:3]))
    in_venv = sys.prefix != sys.base_prefix
    return Section(
        "embedded (make run, make test: SQLite, no servers)",
        [
            Piece("python", version if sys.version_info >= (3, 10) else None, PYTHON),
            Piece("venv", sys.prefix if in_venv else None, VENV),
            module("django", "Django"),
        ],
    )


def native(stages) -> Section:
    """The programs `workshop up` checks before it starts each of the stages' services,
    and the Python packages it runs them with."""
    names = []
    for stage in stages:
        stack = Stack.for_stage(stage, quiet=True)
        order = [instance.name for instance in stack.topology.instances()]  # web first
        for kind in sorted(stack.kinds, key=lambda kind: order.index(kind.name)):
            names += kind.programs
    if "mariadbd" in names:
        names.append("mariadb")  # the client, to look inside (the README's mariadb --socket)
    pieces = [program(name) for name in dict.fromkeys(names)]
    pieces.append(module("supervisor", "supervisor"))
    if "mariadbd" in names:
        pieces.append(module("MySQLdb", "mysqlclient", MYSQLCLIENT))
    which = f"stage {stages[0].number}" if len(stages) == 1 else "every stage"
    return Section(f"native stack, {which} (workshop up NN)", pieces)


def compose() -> Section:
    title = "compose (docker compose up)"
    docker = program("docker")
    try:
        found = Piece("compose", " ".join(compose_program()))
    except StackError:
        found = Piece("compose", None, install_hint("docker-compose"))
    if docker.found is None:
        return Section(title, [docker, found])
    return Section(title, [docker, found, *_engine(docker.found)])


def _engine(docker: str) -> list[Piece]:
    """The engine answers, and the compose images are built (else up builds them: network)."""
    try:
        info = subprocess.run([docker, "info"], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return [Piece("docker engine", None, ENGINE)]
    if info.returncode != 0:
        denied = "permission denied" in info.stderr.lower()
        hint = "sudo usermod -aG docker $USER, then log in again" if denied else ENGINE
        return [Piece("docker engine", None, hint)]
    listed = subprocess.run(
        [docker, "image", "ls", "--format", "{{.Repository}}"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    wanted = sorted(set(re.findall(r"^\s+image: (\S+)", COMPOSE_FILE.read_text(), re.M)))
    lacking = [image for image in wanted if image not in listed.stdout.split()]
    hint = f"{IMAGES} (not built: {', '.join(lacking)})"
    images = Piece("compose images", None if lacking else ", ".join(wanted), hint)
    return [Piece("docker engine", "answers"), images]


def browser() -> Section:
    pieces = [program("chromium"), program("chromedriver"), module("selenium", "selenium")]
    return Section("browser tests (WORKSHOP_STACK_TESTS=1: a real browser's walk)", pieces)
