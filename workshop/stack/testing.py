"""What stack tests share, whichever stage they test: a stack of their own (a free port,
a run folder no other test run holds, so a developer's stack on 8000 and a second test
run are left alone), a browser that speaks to it through nginx, and direct looks into
its memcached and MariaDB."""

import fcntl
import http.client
import os
import re
import socket
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import requests

from .ports import HOST, port_pick_free
from .runfolder import RUN_ROOT
from .stack import Stack

ENABLE_VAR = "WORKSHOP_STACK_TESTS"
SKIP_REASON = (
    f"stack test: set {ENABLE_VAR}=1 to start this stage's native stack on a free port "
    "(needs nginx, memcached and mariadb-server)"
)
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CLAIM_FILE = ".claimed"


def stack_tests_enabled() -> bool:
    from workshop.testing.services import services_required

    return os.environ.get(ENABLE_VAR, "") not in ("", "0") or services_required()


def run_dir_claim(stage_name: str):
    """The first run folder of the stage's test stacks that no live test run holds, and
    the open file whose lock holds it for this process (the kernel lets go when it ends).
    A free folder is reused: its database is already there, so the stack starts sooner."""
    for number in range(1, 100):
        path = RUN_ROOT / "tests" / (stage_name if number == 1 else f"{stage_name}.{number}")
        path.mkdir(parents=True, exist_ok=True)
        claim = open(path / CLAIM_FILE, "w")  # noqa: SIM115 (held open for the whole run)
        try:
            fcntl.flock(claim, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            claim.close()
            continue
        return path, claim
    raise RuntimeError(f"99 test runs of {stage_name} at once: no run folder left")


def stack_for_tests(stage) -> Stack:
    """The stage's stack on a port the system has free and in a run folder of its own,
    so two test runs never collide."""
    run_dir, claim = run_dir_claim(stage.name)
    # Whatever still runs in the folder was left by a run that died: no live run owns it.
    Stack.for_stage(stage, run_dir=run_dir, quiet=True).down()
    stack = Stack.for_stage(stage, port=port_pick_free(), run_dir=run_dir, quiet=True)
    stack.claim = claim  # the folder stays this run's while the stack object lives
    return stack


def access_logs(stack) -> list[Path]:
    """Every app server's access log: one server's (app), or each of several (app1..N)."""
    apps = [kind for kind in stack.kinds if kind.instance.kind == "gunicorn"]
    return [app.access_log for app in apps if app.access_log.exists()]


def access_log_size(stack) -> int:
    if hasattr(stack, "access_log_size"):  # a compose stack: its containers' logs
        return stack.access_log_size()
    return sum(log.stat().st_size for log in access_logs(stack))


def wait_for_growth(measure, before, timeout=2.0) -> bool:
    """gunicorn writes its access log line just after the response has gone out."""
    deadline = time.monotonic() + timeout
    while measure() == before:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


class _Forms(HTMLParser):
    """The POST forms of a page: where each submits to, and its hidden inputs."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str | None, dict[str, str]]] = []
        self.current: dict[str, str] | None = None  # the POST form being read

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = None
            if (attrs.get("method") or "").lower() == "post":
                self.current = {}
                self.forms.append((attrs.get("action"), self.current))
        elif tag == "input" and self.current is not None and attrs.get("name"):
            self._input(attrs)

    def _input(self, attrs: dict) -> None:
        if (attrs.get("type") or "").lower() == "hidden":
            self.current[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def form_hidden_inputs(page: str, *, page_path: str, action: str) -> dict[str, str] | None:
    """The hidden inputs of the first POST form on the page that submits to ``action``;
    None when there is none. A form without an action submits to its own page."""
    parser = _Forms()
    parser.feed(page)
    for form_action, hidden in parser.forms:
        if urlsplit(urljoin(page_path, form_action or page_path)).path == action:
            return hidden
    return None


class Browser(requests.Session):
    """One visitor: keeps its cookies, and submits a form with its hidden inputs (the
    CSRF token, and whatever else the page put there) as a browser does."""

    def __init__(self, base_url: str):
        super().__init__()
        self.base_url = base_url

    def request(self, method, path, *args, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 10)
        if method.upper() == "POST":  # as browsers do; Django's CSRF check compares it
            kwargs["headers"] = {"Origin": self.base_url, **kwargs.get("headers", {})}
        return super().request(method, self.base_url + path, *args, **kwargs)

    def submit(self, path: str, data: dict, *, form_page: str | None = None):
        """POST the form that ``form_page`` (or ``path`` itself) shows for ``path``:
        its hidden inputs, then ``data``."""
        page_path = form_page or path
        page = self.get(page_path)
        hidden = form_hidden_inputs(page.text, page_path=page_path, action=urlsplit(path).path)
        assert hidden is not None, f"no form for {path} on {page_path} (HTTP {page.status_code})"
        return self.post(path, data={**hidden, **data})

    def register(self, username: str, password: str = "stack-test-pass-8841", **fields):
        data = {"username": username, "first_name": "Stack", "email": f"{username}@example.com"}
        response = self.submit(
            "/accounts/register/",
            {**data, **fields, "password1": password, "password2": password},
        )
        assert response.status_code == 302, f"registering {username}: HTTP {response.status_code}"
        return response


def memcached_command(port: int, command: str) -> list[str]:
    """The lines memcached answers to a text-protocol command, up to its END."""
    with socket.create_connection((HOST, port), timeout=5) as sock:
        sock.sendall(command.encode() + b"\r\n")
        answer = b""
        while not answer.endswith(b"END\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer.decode(errors="replace").splitlines()[:-1]


def memcached_keys(port: int) -> list[str]:
    lines = memcached_command(port, "lru_crawler metadump all")
    return [unquote(line.split()[0][len("key=") :]) for line in lines if line.startswith("key=")]


def memcached_stat(port: int, name: str) -> int:
    for line in memcached_command(port, "stats"):
        _, key, value = line.split(" ", 2)
        if key == name:
            return int(value)
    raise KeyError(name)


def get(port: int, path: str) -> int:
    """One GET on a connection of its own, as a new visitor's; the status."""
    connection = http.client.HTTPConnection(HOST, port, timeout=15)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


class Load:
    """A few visitors doing GETs through nginx until the block ends (at most a minute):
    the requests that went well, and every one that did not."""

    def __init__(self, port: int, *, paths=("/",), visitors: int = 4, limit: float = 60):
        self.port, self.paths, self.visitors, self.limit = port, list(paths), visitors, limit
        self.ok, self.failures = 0, []
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def _visit(self) -> None:
        deadline = time.monotonic() + self.limit
        n = 0
        while not self._stop.is_set() and time.monotonic() < deadline:
            path = self.paths[n % len(self.paths)]
            n += 1
            try:
                status = get(self.port, path)
                failure = f"{path}: HTTP {status}" if status >= 500 else None
            except OSError as error:
                failure = f"{path}: {error!r}"
            with self._lock:
                self.failures += [failure] if failure else []
                self.ok += 0 if failure else 1

    def __enter__(self):
        self._threads = [threading.Thread(target=self._visit) for _ in range(self.visitors)]
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join()
