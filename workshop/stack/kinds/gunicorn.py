import sys

from ..ports import HOST
from .base import Kind, http_health


class Gunicorn(Kind):
    port_offset = 1  # app1, app2… take the ports after it
    priority = 300
    stop_wait_seconds = 15  # above gunicorn.conf.py's graceful_timeout: requests finish

    @property
    def config_file(self):
        return (
            self.stack.stage.path
            / "deploy"
            / self.instance.service.options.get("config", "gunicorn.conf.py")
        )

    @property
    def access_log(self):
        return self.dir / "access.log"

    @property
    def local_dir(self):
        """This server's own disk (its tmp, its session files): what one server leaves
        there, the others never see."""
        return self.dir / "local"

    def prepare(self) -> None:
        super().prepare()
        self.local_dir.mkdir(exist_ok=True)

    def command(self) -> list[str]:
        # The venv's own gunicorn, whatever PATH says.
        command = [sys.executable, "-m", "gunicorn", "-c", str(self.config_file), self.wsgi_app]
        return self.capped(command)

    @property
    def wsgi_app(self) -> str:
        return self.instance.service.options.get("wsgi", "shop.wsgi:application")

    def environment(self) -> dict[str, str]:
        # What differs from docker compose; the stage's gunicorn.conf.py reads these.
        local = str(self.local_dir)
        return {
            "GUNICORN_BIND": f"{HOST}:{self.port}",
            "GUNICORN_ACCESS_LOG": str(self.access_log),
            # The shop's settings: how many servers there are (when the server started),
            # and this one's machine-local folder, which is also its temporary folder.
            "APP_SERVERS": str(len(self.stack.apps())),
            "SHOP_LOCAL_DIR": local,
            "TMPDIR": local,
        }

    def working_dir(self):
        return self.stack.stage.path

    def health(self) -> str | None:
        return http_health(self.port, "/")

    def log_files(self):
        return [self.access_log, *super().log_files()]
