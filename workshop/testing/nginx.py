"""A bare nginx for tests: a stage's site config (deploy/nginx.conf.template) in front of
a stand-in app server that records every request reaching it. Quicker than a whole
stack, and enough to test what nginx alone decides.

    with StandInApp() as app, nginx_serving(template, folder, app, PAGE_FILES_DIR=…) as url:
        requests.get(url + "/")
"""

import contextlib
import getpass
import os
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from workshop.stack.kinds.nginx import MAIN_TEMPLATE, TEMP_DIRS, mime_types
from workshop.stack.ports import HOST, port_is_listening, port_pick_free
from workshop.stack.programs import program_find
from workshop.stack.templating import render

APP_ANSWER = b"<p>rendered by the app server</p>"


class StandInApp:
    """An HTTP server standing in for gunicorn: answers every request with APP_ANSWER and
    keeps (method, path, Cookie header) of each one in ``requests``."""

    def __init__(self):
        self.requests: list[tuple[str, str, str]] = []
        app = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                app.requests.append((self.command, self.path, self.headers.get("Cookie", "")))
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(APP_ANSWER)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(APP_ANSWER)

            do_GET = do_POST = do_HEAD = _answer

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.port = self.server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def nginx_serving(site_template: Path, folder: Path, app: StandInApp, **values: str):
    """nginx on a free port with ``site_template`` filled in from ``values`` (LISTEN and
    APP_SERVERS come from here); yields its base URL. Its files stay in ``folder``."""
    for name in TEMP_DIRS:
        (folder / "temp" / name).mkdir(parents=True, exist_ok=True)
    port = port_pick_free()
    values = {"LISTEN": f"{HOST}:{port}", "APP_SERVERS": f"server {HOST}:{app.port};", **values}
    (folder / "site.conf").write_text(render(site_template.read_text(), values))
    nginx = program_find("nginx")
    main = {
        "DIR": str(folder),
        "MIME_TYPES": mime_types(nginx),
        # As in the stack: started as root, nginx's workers would run as nobody.
        "USER_DIRECTIVE": f"user {getpass.getuser()};" if os.geteuid() == 0 else "",
    }
    (folder / "nginx.conf").write_text(render(MAIN_TEMPLATE.read_text(), main))
    errors = folder / "error.log"
    command = [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(errors)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_listening(process, port, errors)
        yield f"http://{HOST}:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_listening(process, port: int, errors: Path, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not port_is_listening(port, timeout=0.2):
        if process.poll() is not None:
            stderr = process.stderr.read().decode(errors="replace").strip()
            raise RuntimeError(f"nginx did not start: {stderr or errors.read_text()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"nginx did not listen on port {port} within {timeout} s")
        time.sleep(0.05)
