import sys

from ..ports import HOST
from .base import Kind, http_health


class Gunicorn(Kind):
    port_offset = 1  # app1, app2… take the ports after it
    priority = 300

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

    def command(self) -> list[str]:
        # The venv's own gunicorn, whatever PATH says.
        return [sys.executable, "-m", "gunicorn", "-c", str(self.config_file), self.wsgi_app]

    @property
    def wsgi_app(self) -> str:
        return self.instance.service.options.get("wsgi", "shop.wsgi:application")

    def environment(self) -> dict[str, str]:
        # What differs from docker compose; the stage's gunicorn.conf.py reads these.
        return {"GUNICORN_BIND": f"{HOST}:{self.port}", "GUNICORN_ACCESS_LOG": str(self.access_log)}

    def working_dir(self):
        return self.stack.stage.path

    def health(self) -> str | None:
        return http_health(self.port, "/")

    def log_files(self):
        return [self.access_log, *super().log_files()]
