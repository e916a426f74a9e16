"""``workshop memcached`` and ``workshop mariadb``: one server in the foreground, for the
tests that need one outside a stack (stage 04's step 5: a lock must hold across
processes; stages 03 and 05: requests at the same moment, replicas), with the variable
that points the tests at it. A stack's tests start their own servers instead."""

import signal
import subprocess

from workshop.stack.kinds.mariadb import mariadb_config, mariadb_install
from workshop.stack.kinds.memcached import memcached_argv
from workshop.stack.ports import HOST
from workshop.stack.programs import program_find
from workshop.stack.runfolder import RUN_ROOT, socket_path


def register(subparsers):
    memcached = subparsers.add_parser(
        "memcached",
        help="run a memcached in the foreground for the tests (Ctrl-C stops it)",
        description="Then, in another terminal: export CACHE_URL=pymemcache://127.0.0.1:PORT",
    )
    memcached.add_argument("--port", type=int, default=11211, help="default 11211")
    memcached.set_defaults(handler=memcached_command)

    mariadb = subparsers.add_parser(
        "mariadb",
        help="run a MariaDB of the workshop's own in the foreground for the tests (Ctrl-C "
        "stops it; its data stays in .run/services/)",
        description="Then, in another terminal: export DATABASE_URL=mysql://root:@127.0.0.1:PORT/shop",
    )
    mariadb.add_argument("--port", type=int, default=3307, help="default 3307")
    mariadb.set_defaults(handler=mariadb_command)


def _foreground(command, name: str, variable: str) -> int:
    print(f"{name} on {HOST}, until Ctrl-C. In another terminal:")
    print(f"  export {variable}", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)  # a kill stops the server as Ctrl-C does
    server = subprocess.Popen(command)
    try:
        return server.wait()
    except KeyboardInterrupt:
        # SIGTERM: MariaDB shuts down cleanly (it ignores Ctrl-C's SIGINT).
        server.terminate()
        server.wait(timeout=120)
        return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def memcached_command(args):
    command = memcached_argv(args.port)  # says what to install when memcached is missing
    return _foreground(command, "memcached", f"CACHE_URL=pymemcache://{HOST}:{args.port}")


def mariadb_command(args):
    """Never the system's MariaDB: a data directory of its own, root without a password
    (the tests make their own test_shop database)."""
    server = program_find("mariadbd")  # says what to install when MariaDB is missing
    folder = RUN_ROOT / "services" / f"mariadb-{args.port}"
    datadir = folder / "data"
    config_file = folder / "my.cnf"
    socket = socket_path(folder / "mariadbd.sock")
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text(mariadb_config(folder, datadir, args.port, socket))
    if not (datadir / "mysql").is_dir():
        print(f"creating MariaDB's data directory in {folder}", flush=True)
        mariadb_install(config_file, datadir, folder / "install.log")
    print(f"its log: {folder / 'error.log'}")
    url = f"DATABASE_URL=mysql://root:@{HOST}:{args.port}/shop"
    return _foreground([server, f"--defaults-file={config_file}"], "MariaDB", url)
