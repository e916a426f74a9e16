"""Real app servers of the code under test, for the tests of stage 03 on: gunicorn
processes over the test database, each with a disk of its own, and one visitor whose
requests go to each server in turn, as round robin sends them.

A stage's conftest takes the fixtures it needs by importing them:

    from workshop.testing.appservers import app_env, app_servers, round_robin  # noqa: F401
"""

import itertools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from workshop.forms import form_hidden_inputs
from workshop.stack.ports import port_pick_free

SERVER_START_SECONDS = 60
CART_LINE = re.compile(
    r'name="product_id" value="(\d+)">\s*<input type="number" name="quantity" value="(\d+)"'
)


def database_url(db: dict) -> str:
    """The URL of the test database ``db`` (a settings dict), for a process of its own."""
    if db["ENGINE"].endswith("sqlite3"):
        if "memory" in str(db["NAME"]):
            pytest.fail("the SQLite test database is in memory, where no app server sees it")
        return f"sqlite:///{db['NAME']}"
    user, password = quote(db["USER"] or "", safe=""), quote(db["PASSWORD"] or "", safe="")
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 3306
    return f"mysql://{user}:{password}@{host}:{port}/{db['NAME']}"


def code_env(code: Path, **extra: str) -> dict[str, str]:
    """The environment of a process of the code under test (the stage's folder, or a
    learner's copy): its settings found first on the path."""
    path = os.pathsep.join(filter(None, [str(code), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path, DJANGO_SETTINGS_MODULE="shop.settings", **extra)
    env.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")  # the same on every server
    return env


class AppServer:
    """One gunicorn of the code under test: a small hosting account of its own."""

    def __init__(self, name: str, home: Path, env: dict, code: Path):
        self.name, self.home = name, home
        self.port = port_pick_free()
        self.url = f"http://127.0.0.1:{self.port}"
        home.mkdir(parents=True, exist_ok=True)
        self.log = home / "gunicorn.log"
        env = dict(env, SHOP_VAR_DIR=str(home / "var"), SHOP_LOCAL_DIR=str(home / "local"))
        command = [sys.executable, "-m", "gunicorn", "shop.wsgi:application"]
        # Two threads: requests overlap inside a server too, as with the stack's workers.
        command += ["--bind", f"127.0.0.1:{self.port}", "--threads", "2", "--timeout", "60"]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command, env=env, cwd=code, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"app server {self.name} exited:\n{self.log_tail()}", pytrace=False)
            try:
                requests.get(self.url + "/accounts/login/", timeout=5)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        pytest.fail(f"app server {self.name} did not answer:\n{self.log_tail()}", pytrace=False)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def files(self) -> list[Path]:
        """Everything this server wrote to its own disk."""
        return [p for p in self.home.rglob("*") if p.is_file() and p != self.log]


class RoundRobin:
    """One visitor (one cookie jar) whose every request goes to the next server in turn,
    as round robin would send it."""

    def __init__(self, servers: list[AppServer]):
        self.session = requests.Session()
        self.turns = itertools.cycle(servers)
        self.seen: list[str] = []  # which server answered each request

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        server = next(self.turns)
        self.seen.append(server.name)
        response = self.session.request(
            method, server.url + path, allow_redirects=False, timeout=30, **kwargs
        )
        assert response.status_code < 500, f"{server.name}: {method} {path}\n{server.log_tail()}"
        return response

    def get(self, path: str) -> requests.Response:
        return self.request("GET", path)

    def form(self, path: str, **fields) -> dict[str, str]:
        """The form of the page at ``path`` (from the next server), filled in."""
        page = self.get(path)
        assert page.status_code == 200, f"GET {path}: {page.status_code}"
        hidden = form_hidden_inputs(page.text, page_path=path, action=path)
        assert hidden is not None, f"no form on {path}"
        return hidden | {name: str(value) for name, value in fields.items()}

    def submit(self, path: str, **fields) -> requests.Response:
        """Fill in the form of the page at ``path`` on one server; post it to the next."""
        return self.request("POST", path, data=self.form(path, **fields))

    def post_at_once(self, posts: list[tuple[AppServer, str, dict]]) -> list[int]:
        """Send every (server, path, form) POST at the same moment, as this visitor in
        several tabs; their status codes."""
        start, statuses = threading.Barrier(len(posts)), []

        def post(server, path, data):
            tab = requests.Session()
            tab.cookies.update(self.session.cookies)
            start.wait()
            response = tab.post(server.url + path, data=data, allow_redirects=False, timeout=30)
            statuses.append(response.status_code)

        threads = [threading.Thread(target=post, args=args) for args in posts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        return statuses

    def cart(self) -> dict[int, int]:
        """The cart page, read as the visitor sees it: {product id: quantity}."""
        page = self.get("/cart/")
        return {int(pk): int(quantity) for pk, quantity in CART_LINE.findall(page.text)}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, a test database in a file rather than in memory: app servers started by
    the tests (other processes) must see what a test writes."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture
def app_env(tmp_path) -> dict:
    """The environment of app servers of the code under test, over the test database."""
    from django.conf import settings
    from django.db import connection

    return code_env(
        Path(settings.BASE_DIR),
        DATABASE_URL=database_url(connection.settings_dict),
        APP_SERVERS="2",
        # Stage 02's page files: one folder, shared by every server (and nginx).
        PAGE_FILES_DIR=str(tmp_path / "pages"),
        DJANGO_DEBUG="0",
    )


@pytest.fixture
def app_servers(transactional_db, app_env, tmp_path) -> list[AppServer]:
    """Two app servers of the code under test over the test database: what a test writes
    through the ORM, they see, and the other way round."""
    code = Path(app_env["PYTHONPATH"].split(os.pathsep)[0])
    servers = [AppServer(f"app{n}", tmp_path / f"app{n}", app_env, code) for n in (1, 2)]
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def round_robin(app_servers) -> RoundRobin:
    """One visitor, sent to app1, app2, app1, … in turn. (Not `browser`: that is the
    stack tests' visitor, through nginx.)"""
    return RoundRobin(app_servers)


@pytest.fixture
def shopper(settings, transactional_db):
    """A customer whose password the app servers can check: they hash as in production,
    not with the fast hasher of the test process."""
    from django.conf import global_settings

    from workshop.testing.factories import CustomerFactory

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    return CustomerFactory(first_name="Alice")
