"""The stack's MariaDB servers seen from outside the app, as `workshop status`, the stack
tests and notebook 05 look at them: each replica's replication threads and lag, each
server's statement counters, and a replica's SQL thread stopped on purpose (lag on
demand). Every look is root's, over the server's own socket."""

import os
import time
from dataclasses import dataclass

from .errors import StackError
from .kinds.replication import ReplicaStatus, gtid_behind, replica_status
from .starting import not_running

COUNTERS = ("Com_select", "Questions")
# Stage 05's app takes a replica further behind than this out of its rotation
# (REPLICA_MAX_LAG_SECONDS, replicas/freshness.py); status says so by the same bound.
MAX_LAG_SECONDS = 3.0


def databases(stack) -> list:
    return [kind for kind in stack.kinds if kind.instance.kind == "mariadb"]


def replicas(stack) -> list:
    return [kind for kind in databases(stack) if kind.role == "replica"]


def _replica(stack, name: str):
    replica = next((kind for kind in replicas(stack) if kind.name == name), None)
    if replica is None:
        names = ", ".join(kind.name for kind in replicas(stack)) or "none"
        raise StackError(f"no replica {name!r} in stage {stack.stage.number} (replicas: {names})")
    return replica


def primary_position(primary) -> str:
    """The GTID of the last transaction the primary wrote to its binary log."""
    return _variable(primary, "SELECT @@gtid_binlog_pos")


def _variable(kind, query: str) -> str:
    with kind.connect(database=None) as connection:
        cursor = connection.cursor()
        cursor.execute(query)
        return cursor.fetchone()[0] or ""


@dataclass(frozen=True)
class ReplicaLag:
    name: str
    primary: str
    status: ReplicaStatus | None  # None: the replica does not run or does not answer
    primary_pos: str | None  # None: the primary does not answer

    @property
    def behind(self) -> int | None:
        """Transactions the primary has written that the replica has not applied."""
        if self.status is None or self.primary_pos is None:
            return None
        return gtid_behind(self.primary_pos, self.status.gtid_slave_pos)

    @property
    def unfetched(self) -> int | None:
        """Of those, the ones its IO thread has not even fetched yet."""
        if self.status is None or self.primary_pos is None:
            return None
        return gtid_behind(self.primary_pos, self.status.gtid_io_pos)

    def line(self) -> str:
        if self.status is None:
            return f"{self.name:<9} down: not replicating"
        status = self.status
        seconds = "?" if status.seconds_behind is None else status.seconds_behind
        behind = "?" if self.behind is None else self.behind
        text = (
            f"{self.name:<9} IO {_running(status.io_running):<10} "
            f"SQL {_running(status.sql_running):<8} lag {seconds} s, {behind} transactions  "
            f"({self.primary} {self.primary_pos or '?'}, fetched {status.gtid_io_pos or '-'}, "
            f"applied {status.gtid_slave_pos or '-'})"
        )
        text += f"; error: {status.last_error}" if status.last_error else ""
        return text + ("; out of the rotation" if self.out_of_rotation else "")

    @property
    def out_of_rotation(self) -> bool:
        """Whether the app reads elsewhere: the replica is further behind than the bound,
        or its SQL thread is stopped with transactions not applied (its lag grows, and
        Seconds_Behind_Master says nothing)."""
        status = self.status
        if status is None:
            return True
        bound = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", MAX_LAG_SECONDS))
        if status.seconds_behind is not None and status.seconds_behind > bound:
            return True
        return status.sql_running != "Yes" and bool(self.behind)


def _running(state: str) -> str:
    return {"Yes": "running", "No": "stopped"}.get(state, state.lower())


def replication_lags(stack) -> list[ReplicaLag]:
    """One per replica, read now: its threads, its seconds and transactions behind."""
    if not replicas(stack):
        return []  # stages before 05 (and machines without mysqlclient) have none
    import MySQLdb

    lags, positions = [], {}
    for replica in replicas(stack):
        primary = replica.primary
        if primary.name not in positions:
            try:
                down = not_running(stack, [primary])
                positions[primary.name] = None if down else primary_position(primary)
            except MySQLdb.Error:
                positions[primary.name] = None
        try:
            status = None if not_running(stack, [replica]) else replica_status(replica)
        except MySQLdb.Error:
            status = None
        lags.append(ReplicaLag(replica.name, primary.name, status, positions[primary.name]))
    return lags


def replica_lag(stack, name: str) -> ReplicaLag:
    _replica(stack, name)
    return next(lag for lag in replication_lags(stack) if lag.name == name)


def replica_catch_up_seconds(stack, name: str, timeout: float = 10) -> float | None:
    """How long the replica takes to apply every transaction the primary has written by
    now: its lag, to the millisecond (Seconds_Behind_Master counts whole seconds). None
    when it has not caught up within ``timeout`` (its SQL thread stopped, say)."""
    replica = _replica(stack, name)
    with replica.connect(database=None) as connection:
        cursor = connection.cursor()
        started = time.monotonic()
        target = primary_position(replica.primary)
        cursor.execute("SELECT MASTER_GTID_WAIT(%s, %s)", [target, timeout])
        reached = cursor.fetchone()[0] == 0  # -1: the timeout passed first
        return time.monotonic() - started if reached else None


def replica_wait_caught_up(stack, name: str, timeout: float = 10) -> bool:
    """Whether the replica applies, within ``timeout``, every transaction the primary
    had written when the wait began."""
    return replica_catch_up_seconds(stack, name, timeout) is not None


def replica_sql_thread_stop(stack, name: str) -> None:
    """The replica keeps fetching the primary's log but applies none of it: it falls
    behind by every write from now on, as a replica under a burst of writes does."""
    with _replica(stack, name).connect(database=None) as connection:
        connection.cursor().execute("STOP SLAVE SQL_THREAD")


def replica_sql_thread_start(stack, name: str) -> None:
    with _replica(stack, name).connect(database=None) as connection:
        connection.cursor().execute("START SLAVE SQL_THREAD")


def statement_counts(stack) -> dict[str, dict[str, int]]:
    """Each running server's counters since it started, by instance name: Com_select
    (the SELECTs it ran) and Questions (every statement). A restart resets them."""
    names = ", ".join(f"'{name}'" for name in COUNTERS)
    counts = {}
    for kind in databases(stack):
        if not_running(stack, [kind]):
            continue
        with kind.connect(database=None) as connection:
            cursor = connection.cursor()
            cursor.execute(f"SHOW GLOBAL STATUS WHERE Variable_name IN ({names})")
            counts[kind.name] = {name: int(value) for name, value in cursor.fetchall()}
    return counts
