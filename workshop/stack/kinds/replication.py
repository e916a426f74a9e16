"""The mariadb kind's roles (stage 05's stack.toml: role = "primary" or "replica").

The primary writes every change to its binary log under a global transaction id (GTID)
and holds the accounts: the app's (ALL on the shop's database and nothing global) and
the replicas'. A replica has a server id of its own and is read_only: the replication
thread writes there, and so does root (who holds READ ONLY ADMIN), but the app's account
gets an error, so a write sent to a replica by mistake fails loudly.

A new replica starts from the primary's data: a dump of the shop's database taken in one
transaction, which also names the GTID it was read at (mariadb-dump --master-data
--gtid), and a copy of the primary's two accounts. Quick for a shop of this size, and
correct whatever the primary's binary log still holds (mariadb-backup would copy files
faster, but it is one more package). Every start then points the replica at the primary
(whose port may have changed since the last `up`) and replicates from the GTID it has
applied: MASTER_USE_GTID=slave_pos, which also makes a replica killed with -9 resume
where its committed transactions end."""

import re
import subprocess
import time
from dataclasses import dataclass

from ..errors import StackError
from ..ports import HOST
from ..programs import program_find

REPLICATION_USER = "repl"
ATTACH_WITHIN_SECONDS = 30

PRIMARY_CNF = """\
# The primary: every change goes to the binary log, by row, under a GTID.
server_id = {server_id}
log_bin = binlog
binlog_format = ROW
log_slave_updates = ON
gtid_strict_mode = ON
"""

REPLICA_CNF = """\
# A replica of {primary}: a server id of its own, and read_only: only the replication
# thread and root write here; the app's account gets an error.
server_id = {server_id}
read_only = ON
relay_log = relay-bin
gtid_strict_mode = ON
"""


def accounts_ensure(primary) -> None:
    """The app's account and, on a primary, the replicas' one, with the run folder's
    passwords. Run on the primary at every start; each statement goes to the binary log,
    so a change reaches the replicas too."""
    accounts = {primary.app_user: f"ALL ON `{primary.database}`.*"}
    if primary.role == "primary":
        accounts[REPLICATION_USER] = "REPLICATION SLAVE ON *.*"
    with primary.connect(database=None) as connection:
        cursor = connection.cursor()
        for user, grant in accounts.items():
            password = primary.stack.run.password(user)
            cursor.execute("CREATE USER IF NOT EXISTS %s@'%%' IDENTIFIED BY %s", [user, password])
            cursor.execute("ALTER USER %s@'%%' IDENTIFIED BY %s", [user, password])
            cursor.execute(f"GRANT {grant} TO %s@'%%'", [user])


def replica_attach(replica) -> None:
    """Once a replica answers: copy the primary's data if it has never replicated, point
    it at the primary, start replicating, and wait until both threads run."""
    primary = replica.primary
    with replica.connect(database=None) as connection:
        cursor = connection.cursor()
        if not (_status(cursor) or {}).get("Master_Host"):
            _clone(replica, primary, cursor)
        cursor.execute("STOP SLAVE")
        cursor.execute(
            "CHANGE MASTER TO MASTER_HOST=%s, MASTER_PORT=%s, MASTER_USER=%s, "
            "MASTER_PASSWORD=%s, MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
            [HOST, primary.port, REPLICATION_USER, replica.stack.run.password(REPLICATION_USER)],
        )
        cursor.execute("START SLAVE")
    _wait_replicating(replica)


def _clone(replica, primary, cursor) -> None:
    replica.stack.say(f"{replica.name}: copying {primary.name}'s data")
    _accounts_copy(primary, cursor)
    dump_file = replica.dir / "clone.sql"
    dump = [program_find("mariadb-dump"), f"--socket={primary.socket}", "--user=root"]
    dump += ["--single-transaction", "--master-data=2", "--gtid", "--databases", primary.database]
    _run(dump, replica, stdout=dump_file)
    # --master-data=2 writes the position as a comment: it is set below, once the data is in.
    found = re.search(r"^-- SET GLOBAL gtid_slave_pos='([^']*)';$", dump_file.read_text(), re.M)
    if found is None:
        raise StackError(f"{replica.name}: no GTID position in {dump_file}")
    _run(
        [program_find("mariadb"), f"--socket={replica.socket}", "--user=root"],
        replica,
        stdin=dump_file,
    )
    cursor.execute("SET GLOBAL gtid_slave_pos = %s", [found.group(1)])
    dump_file.unlink()


def _accounts_copy(primary, replica_cursor) -> None:
    """The primary's accounts as they are (their password hashes too)."""
    with primary.connect(database=None) as connection:
        cursor = connection.cursor()
        for user in (primary.app_user, REPLICATION_USER):
            cursor.execute("SHOW CREATE USER %s@'%%'", [user])
            create = cursor.fetchone()[0]
            cursor.execute("SHOW GRANTS FOR %s@'%%'", [user])
            replica_cursor.execute(create.replace("CREATE USER", "CREATE OR REPLACE USER", 1))
            for (grant,) in cursor.fetchall():
                replica_cursor.execute(grant)


def _run(command, replica, *, stdout=None, stdin=None) -> None:
    log = replica.dir / "clone.log"
    with log.open("a") as errors:
        out = stdout.open("w") if stdout else None
        into = stdin.open() if stdin else None
        try:
            result = subprocess.run(command, stdout=out, stdin=into, stderr=errors)
        finally:
            for file in (out, into):
                if file:
                    file.close()
    if result.returncode != 0:
        raise StackError(
            f"{replica.name}: {command[0]} failed while copying the primary; see {log}"
        )


def _wait_replicating(replica) -> None:
    deadline = time.monotonic() + ATTACH_WITHIN_SECONDS
    while True:
        status = replica_status(replica)
        if status.io_running == "Yes" and status.sql_running == "Yes":
            return
        stopped = "No" in (status.io_running, status.sql_running)
        if stopped or time.monotonic() > deadline:
            afresh = f"workshop down {replica.stack.stage.number} --reset starts afresh"
            raise StackError(
                f"{replica.name} does not replicate from {replica.primary.name}: "
                f"{status.last_error or 'no error given'} ({afresh})"
            )
        time.sleep(0.05)


@dataclass(frozen=True)
class ReplicaStatus:
    """SHOW SLAVE STATUS, the parts that tell whether a replica keeps up."""

    io_running: str  # Yes, No, or Connecting: the thread that fetches the primary's log
    sql_running: str  # Yes or No: the thread that applies it
    seconds_behind: int | None  # None while the SQL thread does not run
    gtid_io_pos: str  # the last transaction fetched
    gtid_slave_pos: str  # the last transaction applied
    last_error: str

    @property
    def replicating(self) -> bool:
        return self.io_running == "Yes" and self.sql_running == "Yes"


def replica_status(replica) -> ReplicaStatus:
    with replica.connect(database=None) as connection:
        cursor = connection.cursor()
        row = _status(cursor) or {}
        cursor.execute("SELECT @@gtid_slave_pos")
        applied = cursor.fetchone()[0]
    seconds = row.get("Seconds_Behind_Master")
    return ReplicaStatus(
        io_running=row.get("Slave_IO_Running") or "No",
        sql_running=row.get("Slave_SQL_Running") or "No",
        seconds_behind=None if seconds is None else int(seconds),
        gtid_io_pos=row.get("Gtid_IO_Pos") or "",
        gtid_slave_pos=applied or "",
        last_error=row.get("Last_IO_Error") or row.get("Last_SQL_Error") or "",
    )


def _status(cursor) -> dict | None:
    cursor.execute("SHOW SLAVE STATUS")
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([column[0] for column in cursor.description], row, strict=True))


def gtid_behind(ahead: str, behind: str) -> int:
    """How many transactions ``behind`` lacks of ``ahead`` (GTID positions such as
    "0-1-812": domain, server, sequence number; the sequence counts per domain)."""
    behind_seq = _sequences(behind)
    return sum(max(0, seq - behind_seq.get(d, 0)) for d, seq in _sequences(ahead).items())


def _sequences(position: str) -> dict[int, int]:
    sequences = {}
    for gtid in filter(None, (part.strip() for part in position.split(","))):
        domain, _server, seq = (int(number) for number in gtid.split("-"))
        sequences[domain] = seq
    return sequences
