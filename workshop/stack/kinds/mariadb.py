import getpass
import os
import socket
import subprocess

from ..errors import StackError
from ..ports import HOST
from ..programs import program_find
from ..runfolder import socket_path
from .base import Kind

MY_CNF = """\
# Written by workshop up: this stack's own MariaDB server, never the system one.
[mariadbd]
datadir = {datadir}
port = {port}
bind-address = {host}
socket = {socket}
pid-file = {dir}/mariadbd.pid
log-error = {dir}/error.log
# Small, so that a 2-core laptop runs a whole topology (about 100 MB here).
innodb_buffer_pool_size = 32M
innodb_log_file_size = 16M
performance_schema = OFF
skip-name-resolve
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
"""


class MariaDB(Kind):
    programs = ("mariadbd", "mariadb-install-db")
    port_offset = 21
    priority = 100
    stop_wait_seconds = 60  # a clean InnoDB shutdown can take a while

    @property
    def database(self) -> str:
        return self.instance.service.options.get("database", "shop")

    @property
    def socket(self):
        return socket_path(self.dir / "mariadbd.sock")

    @property
    def config_file(self):
        return self.dir / "my.cnf"

    @property
    def datadir(self):
        return self.dir / "data"

    def django_env(self) -> dict[str, str]:
        return {"DATABASE_URL": f"mysql://root:@{HOST}:{self.port}/{self.database}"}

    def prepare(self) -> None:
        super().prepare()
        config = MY_CNF.format(
            datadir=self.datadir, port=self.port, host=HOST, socket=self.socket, dir=self.dir
        )
        if os.geteuid() == 0:
            config += f"user = {getpass.getuser()}\n"  # mariadbd refuses root without it
        self.config_file.write_text(config)
        if not (self.datadir / "mysql").is_dir():
            self._install()

    def _install(self) -> None:
        self.stack.say(f"{self.name}: creating MariaDB's data directory")
        command = [
            program_find("mariadb-install-db"),
            f"--defaults-file={self.config_file}",
            "--auth-root-authentication-method=normal",  # root without a password, locally
            "--skip-test-db",
        ]
        log = self.dir / "install.log"
        with log.open("w") as out:
            result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT)
        if result.returncode != 0:
            raise StackError(f"mariadb-install-db failed; see {log}")

    def preflight(self) -> None:
        super().preflight()
        _mysqldb()

    def command(self) -> list[str]:
        return [program_find("mariadbd"), f"--defaults-file={self.config_file}"]

    def health(self) -> str | None:
        """MariaDB greets every new connection with a handshake, protocol version 10."""
        try:
            with socket.create_connection((HOST, self.port), timeout=1) as sock:
                greeting = sock.recv(5)
        except OSError as error:
            return f"no answer ({error.strerror or error})"
        return None if greeting[4:5] == b"\x0a" else "no MariaDB handshake"

    def after_start(self) -> None:
        with self.connect(database=None) as connection:
            connection.cursor().execute(
                f"CREATE DATABASE IF NOT EXISTS `{self.database}` CHARACTER SET utf8mb4"
            )

    def connect(self, database: str | None = ""):
        options = {"unix_socket": str(self.socket), "user": "root"}
        if database is not None:
            options["database"] = database or self.database
        return _mysqldb().connect(**options)

    @property
    def failure_log(self):
        return self.dir / "error.log"

    def log_files(self):
        return [self.dir / "error.log", *super().log_files()]


def _mysqldb():
    try:
        import MySQLdb
    except ImportError:
        raise StackError(
            "the stack needs mysqlclient: apt-get install libmariadb-dev pkg-config "
            "(macOS: brew install mariadb-connector-c pkg-config), then pip install -e '.[mysql]'"
        ) from None
    return MySQLdb
