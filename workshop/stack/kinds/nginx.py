import functools
import getpass
import os
import re
import subprocess
from pathlib import Path

from ..errors import StackError
from ..ports import HOST
from ..processes import process_tree
from ..programs import program_find
from ..templating import render
from .base import Kind, http_get

MAIN_TEMPLATE = Path(__file__).resolve().parent.parent / "nginx-native.conf"
TEMP_DIRS = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
# On every upstream server line, here and in docker-compose.yml: a server is left out
# after 3 failures within 5 s, for 5 s (nginx's defaults: after 1, for 10 s). Stage 03's
# deploy/nginx.conf.template says why. A lone server is never left out (nginx ignores
# both then), so stages 01 and 02 are as before.
SERVER_PARAMETERS = "max_fails=3 fail_timeout=5s"


class Nginx(Kind):
    programs = ("nginx",)
    priority = 400

    @property
    def site_template(self) -> Path:
        name = self.instance.service.options.get("config", "nginx.conf.template")
        return self.stack.stage.path / "deploy" / name

    def site_values(self) -> dict[str, str]:
        """The stage template's variables; docker-compose.yml sets the same ones. Folders
        the shop writes and nginx serves are named in stack.toml, inside SHOP_VAR_DIR:
        [web] var_paths = { PAGE_FILES_DIR = "pages" }."""
        servers = "\n    ".join(
            f"server {HOST}:{app.port} {SERVER_PARAMETERS};" for app in self.stack.apps()
        )
        var_paths = {"STATIC_ROOT": "static", **self.instance.service.options.get("var_paths", {})}
        return {
            "LISTEN": f"{HOST}:{self.port}",
            "APP_SERVERS": servers,
            **{name: str(self.stack.run.var_dir / sub) for name, sub in var_paths.items()},
        }

    def prepare(self) -> None:
        super().prepare()
        for name in TEMP_DIRS:
            (self.dir / "temp" / name).mkdir(parents=True, exist_ok=True)
        template = self.site_template
        try:
            site = render(template.read_text(), self.site_values(), source=str(template))
        except ValueError as error:
            hint = 'a folder in SHOP_VAR_DIR? [web] var_paths = { NAME = "folder" } in stack.toml'
            raise StackError(f"{error} ({hint})") from None
        (self.dir / "site.conf").write_text(site)
        main_values = {
            "DIR": str(self.dir),
            "MIME_TYPES": mime_types(program_find("nginx")),
            # Started as root, nginx runs its workers as nobody, who may not read the
            # checkout; a local stack on 127.0.0.1 can keep the user it was started by.
            "USER_DIRECTIVE": f"user {getpass.getuser()};" if os.geteuid() == 0 else "",
        }
        (self.dir / "nginx.conf").write_text(render(MAIN_TEMPLATE.read_text(), main_values))
        self._test_config()

    def reload(self) -> list[int]:
        """Rewrite the config (the upstream lists the app servers there are now) and
        reload it gracefully: new workers take new connections, the old ones finish the
        requests they hold, then exit. Returns the old workers' pids."""
        self.prepare()  # and `nginx -t`: a config nginx refuses is never signalled
        master = self.stack.supervisor.processes().get(self.name, {}).get("pid")
        old_workers = process_tree(master)[1:] if master else []
        result = subprocess.run([*self.command(), "-s", "reload"], capture_output=True, text=True)
        if result.returncode != 0:
            raise StackError(f"nginx did not reload: {result.stderr.strip()[-300:]}")
        return old_workers

    def _test_config(self) -> None:
        result = subprocess.run([*self.command(), "-t", "-q"], capture_output=True, text=True)
        if result.returncode != 0:
            lines = (result.stderr or result.stdout).strip().splitlines() or ["?"]
            first = next((line for line in lines if "[emerg]" in line), lines[0])
            raise StackError(f"nginx refuses its config: {first}")

    def command(self) -> list[str]:
        conf, errors = self.dir / "nginx.conf", self.dir / "error.log"
        return [program_find("nginx"), "-p", str(self.dir), "-c", str(conf), "-e", str(errors)]

    def health(self) -> str | None:
        try:
            response = http_get(self.port, "/")
        except OSError as error:
            return f"no answer ({error.strerror or error})"
        if not (response.getheader("Server") or "").startswith("nginx"):
            return "another server answers on its port"
        return f"HTTP {response.status}" if response.status >= 500 else None

    def log_files(self):
        return [self.dir / "access.log", self.dir / "error.log", *super().log_files()]


@functools.cache
def mime_types(nginx: str) -> str:
    """mime.types beside the nginx.conf this nginx was built with (Debian, Homebrew)."""
    built = subprocess.run([nginx, "-V"], capture_output=True, text=True).stderr
    match = re.search(r"--conf-path=(\S+)", built)
    conf_dir = Path(match.group(1)).parent if match else Path("/etc/nginx")
    return str(conf_dir / "mime.types")
