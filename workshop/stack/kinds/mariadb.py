import getpass
import os
import shutil
import socket
import subprocess

from ..errors import StackError
from ..ports import HOST
from ..programs import program_find
from ..runfolder import socket_path
from . import replication
from .base import Kind

ROLES = ("primary", "replica")  # stage 05; earlier stages run one server, role-less

MY_CNF = """\
# Written by workshop up: this stack's own MariaDB server, never the system one.
[mariadbd]
datadir = {datadir}
port = {port}
bind-address = {host}
socket = {socket}
pid-file = {dir}/mariadbd.pid
log-error = {dir}/error.log
# Its temporary tables in its own folder: servers that share /tmp (several stacks, their
# installs at once) could otherwise collide on a name.
tmpdir = {dir}/tmp
# Small, so that a 2-core laptop runs a whole topology (about 100 MB here).
innodb_buffer_pool_size = 32M
innodb_log_file_size = 16M
performance_schema = OFF
skip-name-resolve
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
"""


def mariadb_config(folder, datadir, port: int, socket) -> str:
    """my.cnf of a MariaDB of its own in ``folder``, as a stack and `workshop mariadb`
    run one."""
    (folder / "tmp").mkdir(parents=True, exist_ok=True)
    config = MY_CNF.format(datadir=datadir, port=port, host=HOST, socket=socket, dir=folder)
    if os.geteuid() == 0:
        config += f"user = {getpass.getuser()}\n"  # mariadbd refuses root without it
    return config


def mariadb_install(config_file, datadir, log) -> None:
    command = [
        program_find("mariadb-install-db"),
        f"--defaults-file={config_file}",
        "--auth-root-authentication-method=normal",  # root without a password, locally
        "--skip-test-db",
    ]
    with log.open("w") as out:
        result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        # Half a data directory would pass for a whole one at the next start.
        shutil.rmtree(datadir, ignore_errors=True)
        raise StackError(f"mariadb-install-db failed; see {log}")


class MariaDB(Kind):
    port_offset = 21
    stop_wait_seconds = 60  # a clean InnoDB shutdown can take a while
    capped_after_setup = True  # creating tables, seeding, copying to the replicas

    @property
    def role(self) -> str | None:
        role = self.instance.service.options.get("role")
        if role is not None and role not in ROLES:
            raise StackError(
                f"[{self.instance.service.name}] role = {role!r}: choose one of {ROLES}"
            )
        return role

    @property
    def primary(self) -> "MariaDB":
        """A replica's primary: stack.toml's ``primary = "db"``."""
        name = self.instance.service.options.get("primary")
        primary = next((k for k in self.stack.kinds if k.name == name), None)
        if primary is None or getattr(primary, "role", None) != "primary":
            service = self.instance.service.name
            raise StackError(f'[{service}] needs primary = "<a service of role primary>"')
        return primary

    @property
    def priority(self) -> int:
        return 150 if self.role == "replica" else 100  # a replica starts once its primary runs

    @property
    def programs(self) -> tuple[str, ...]:
        programs = ("mariadbd", "mariadb-install-db")
        return (*programs, "mariadb", "mariadb-dump") if self.role == "replica" else programs

    @property
    def database(self) -> str:
        if self.role == "replica":
            return self.primary.database
        return self.instance.service.options.get("database", "shop")

    @property
    def app_user(self) -> str:
        """The account the app connects as: stack.toml's ``user`` (stage 05), else root."""
        if self.role == "replica":
            return self.primary.app_user
        return self.instance.service.options.get("user", "root")

    @property
    def server_id(self) -> int:
        if self.role == "replica":  # the primary's, then one each: 2, 3…
            return self.primary.server_id + self.instance.number
        return int(self.instance.service.options.get("server_id", 1))

    @property
    def socket(self):
        return socket_path(self.dir / "mariadbd.sock")

    @property
    def config_file(self):
        return self.dir / "my.cnf"

    @property
    def datadir(self):
        return self.dir / "data"

    def url(self) -> str:
        user = self.app_user
        password = "" if user == "root" else self.stack.run.password(user)
        return f"mysql://{user}:{password}@{HOST}:{self.port}/{self.database}"

    def replicas(self) -> list["MariaDB"]:
        """This primary's replicas that have a port (all of them, once the stack is up)."""
        kinds = [k for k in self.stack.kinds if getattr(k, "role", None) == "replica"]
        return [k for k in kinds if k.primary is self and k.name in self.stack.ports]

    def django_env(self) -> dict[str, str]:
        if self.role == "replica":
            return {}  # its primary names it, in DATABASE_REPLICA_URLS
        env = {"DATABASE_URL": self.url()}
        if self.role == "primary":
            env["DATABASE_REPLICA_URLS"] = ",".join(r.url() for r in self.replicas())
        return env

    def prepare(self) -> None:
        super().prepare()
        config = mariadb_config(self.dir, self.datadir, self.port, self.socket)
        if self.role == "primary":
            config += replication.PRIMARY_CNF.format(server_id=self.server_id)
        elif self.role == "replica":
            config += replication.REPLICA_CNF.format(
                server_id=self.server_id, primary=self.primary.name
            )
        self.config_file.write_text(config)
        if not (self.datadir / "mysql").is_dir():
            self._install()

    def _install(self) -> None:
        self.stack.say(f"{self.name}: creating MariaDB's data directory")
        mariadb_install(self.config_file, self.datadir, self.dir / "install.log")

    def preflight(self) -> None:
        super().preflight()
        _mysqldb()

    def command(self) -> list[str]:
        return self.capped([program_find("mariadbd"), f"--defaults-file={self.config_file}"])

    def health(self) -> str | None:
        """MariaDB greets every new connection with a handshake, protocol version 10."""
        try:
            with socket.create_connection((HOST, self.port), timeout=1) as sock:
                greeting = sock.recv(5)
        except OSError as error:
            return f"no answer ({error.strerror or error})"
        return None if greeting[4:5] == b"\x0a" else "no MariaDB handshake"

    def after_start(self) -> None:
        if self.role == "replica":
            replication.replica_attach(self)  # the database comes from the primary
            return
        with self.connect(database=None) as connection:
            connection.cursor().execute(
                f"CREATE DATABASE IF NOT EXISTS `{self.database}` CHARACTER SET utf8mb4"
            )
        if self.app_user != "root":
            replication.accounts_ensure(self)

    def connect(self, database: str | None = ""):
        options = {"unix_socket": str(self.socket), "user": "root", "autocommit": True}
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
