"""What stack tests share, whichever stage they test: a stack of their own (a free port,
its own run folder, so a developer's stack on 8000 is left alone), a browser that
speaks to it through nginx, and direct looks into its memcached and MariaDB."""

import os
import re
import socket
from urllib.parse import unquote

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


def stack_tests_enabled() -> bool:
    from workshop.testing.services import services_required

    return os.environ.get(ENABLE_VAR, "") not in ("", "0") or services_required()


def stack_for_tests(stage) -> Stack:
    """The stage's stack on a port the system has free, so two test runs never collide."""
    return Stack.for_stage(
        stage, port=port_pick_free(), run_dir=RUN_ROOT / "tests" / stage.name, quiet=True
    )


class Browser(requests.Session):
    """One visitor: keeps its cookies, fills in the CSRF token as the forms do."""

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
        """POST a form the way a browser does: token from the page that shows the form."""
        page = self.get(form_page or path)
        match = CSRF_INPUT.search(page.text)
        assert match, f"no CSRF token on {form_page or path} (HTTP {page.status_code})"
        return self.post(path, data={**data, "csrfmiddlewaretoken": match.group(1)})

    def register(self, username: str, password: str = "stack-test-pass-8841"):
        data = {"username": username, "first_name": "Stack", "email": f"{username}@example.com"}
        response = self.submit(
            "/accounts/register/", {**data, "password1": password, "password2": password}
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
