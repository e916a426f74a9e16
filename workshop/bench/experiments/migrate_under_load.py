"""Stage 05's deploy 1 migration (orders 0003: the order's email) run under load.

A private stack of stage 05 serves the release before deploy 1 (stage 05 with stage 04's
orders app and order page: no email yet), while a bounded crowd browses and buys through
nginx. Part way through, the new release's `manage.py migrate orders 0003` runs once, on
the primary, as a deploy runs it before the new code starts. Reported:

- failed requests (target 0);
- how long the ALTER ran and how long any statement waited for a lock, from the primary's
  process list sampled every SAMPLE_SECONDS (MariaDB's TIME_MS: how long each statement
  has run or waited; a wait shorter than one sample may go unseen), and InnoDB's row-lock
  waits over the migration (the backfill's UPDATEs against the checkouts' INSERTs);
- each replica: whether it reached the primary's GTID position after the migration and
  has the column, and how long that took. The migration never runs there: the replicas
  get the ALTER and the backfill from the primary's binary log.

In a notebook: ``result = migrate_under_load(); result.summary()``. Run it niced
(`nice -n 19`): the stack, locust and the migration inherit it.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from workshop.load.shopmap import SHOP_MAP_ENV, shop_discover, shop_map_save
from workshop.stages import stage_get

from ..db import mysql_connect_args
from ..locust_csv import AGGREGATED, stats_read
from ..locust_run import locust_command
from ..profiles import PROFILES
from ..results import RESULTS_DIR
from ..runner import private_stack

CROWD = PROFILES["crowd"]
MIGRATION = ("orders", "0003_order_email")
# What deploy 1 changes in stage 05 (lesson.toml): the release before has stage 04's.
DEPLOY_1_FILES = ("orders", "templates/orders")
SAMPLE_SECONDS = 0.02
REPLICA_WAIT_SECONDS = 30


@dataclass
class Locks:
    """What the sampler saw on the primary, in seconds."""

    alter_seconds: float = 0.0  # the longest an ALTER TABLE was seen running
    longest_wait_seconds: float = 0.0  # the longest any statement was seen waiting for a lock
    waiting: set = field(default_factory=set)  # (thread, statement) seen waiting for a lock
    statements_seen: int = 0  # other sessions' statements seen: the sampler sees the traffic
    samples: int = 0
    # A read of the orders table timed at every sample: how long the table kept a reader out.
    slowest_read_seconds: float = 0.0

    def see(self, thread_id, state: str, info: str, seconds: float) -> None:
        """One row of the process list: a statement that has run or waited ``seconds``."""
        self.statements_seen += 1
        if info.lstrip().upper().startswith("ALTER TABLE"):
            self.alter_seconds = max(self.alter_seconds, seconds)
        if state.lower().startswith("waiting") and "lock" in state.lower():
            self.waiting.add((thread_id, info))
            self.longest_wait_seconds = max(self.longest_wait_seconds, seconds)


@dataclass
class MigrationUnderLoad:
    requests: int
    failures: int
    migrate_seconds: float  # the whole `manage.py migrate` process, Django's start included
    locks: Locks
    row_lock_waits: int  # InnoDB row-lock waits on the primary while it ran
    row_lock_wait_seconds: float
    # name: {"had_column" (before), "caught_up_seconds" (after the migration), "has_column"}
    replicas: dict = field(default_factory=dict)

    def summary(self) -> dict:
        return {
            "requests": self.requests,
            "failed requests": self.failures,
            "migrate (s)": round(self.migrate_seconds, 2),
            "ALTER seen running (s)": round(self.locks.alter_seconds, 3),
            "longest lock wait seen (s)": round(self.locks.longest_wait_seconds, 3),
            "statements seen waiting": len(self.locks.waiting),
            "slowest read of orders_order (s)": round(self.locks.slowest_read_seconds, 3),
            "process-list samples": self.locks.samples,
            "InnoDB row-lock waits": self.row_lock_waits,
            "InnoDB row-lock wait (s)": round(self.row_lock_wait_seconds, 3),
            **{
                f"{name}: caught up (s)": round(r["caught_up_seconds"], 3)
                for name, r in self.replicas.items()
            },
            **{
                f"{name}: column before / after": f"{r['had_column']} / {r['has_column']}"
                for name, r in self.replicas.items()
            },
        }


def connect(url: str):
    import MySQLdb  # the [mysql] extra: the stack's databases are MariaDB

    database = urlsplit(url).path.lstrip("/")
    return MySQLdb.connect(**mysql_connect_args(url), db=database, autocommit=True)


def query(connection, sql: str, args=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return list(cursor.fetchall())


def has_email_column(connection) -> bool:
    sql = (
        "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
        " AND TABLE_NAME = 'orders_order' AND COLUMN_NAME = 'email'"
    )
    return query(connection, sql)[0][0] == 1


class LockSampler(threading.Thread):
    """Samples the primary's process list, and times a read of the orders table, on a
    connection of its own until stopped."""

    SQL = (
        "SELECT ID, STATE, INFO, TIME_MS FROM information_schema.PROCESSLIST"
        " WHERE INFO IS NOT NULL AND ID <> CONNECTION_ID()"
    )
    PROBE = "SELECT id FROM orders_order ORDER BY id DESC LIMIT 1"

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.connection, self.locks = connect(url), Locks()
        self._stopping = threading.Event()

    def run(self):
        while not self._stopping.is_set():
            for thread_id, state, info, time_ms in query(self.connection, self.SQL):
                self.locks.see(thread_id, state or "", info, float(time_ms) / 1000)
            started = time.monotonic()
            query(self.connection, self.PROBE)
            took = time.monotonic() - started
            self.locks.slowest_read_seconds = max(self.locks.slowest_read_seconds, took)
            self.locks.samples += 1
            time.sleep(SAMPLE_SECONDS)

    def stop(self) -> Locks:
        self._stopping.set()
        self.join(timeout=30)
        self.connection.close()
        return self.locks


def row_lock_counters(connection) -> tuple[int, float]:
    rows = dict(query(connection, "SHOW GLOBAL STATUS LIKE 'Innodb_row_lock_%'"))
    return int(rows["Innodb_row_lock_waits"]), int(rows["Innodb_row_lock_time"]) / 1000


def replica_catch_up(url: str, position: str) -> dict:
    """Wait for the replica to apply the primary's binary log up to ``position``: the
    seconds it took from the end of the migration, and whether it has the column then."""
    connection = connect(url)
    try:
        started = time.monotonic()
        sql = "SELECT MASTER_GTID_WAIT(%s, %s)"
        reached = query(connection, sql, (position, REPLICA_WAIT_SECONDS))[0][0] == 0
        return {
            "caught_up_seconds": time.monotonic() - started if reached else float("nan"),
            "has_column": reached and has_email_column(connection),
        }
    finally:
        connection.close()


def release_before(new, old, folder: Path):
    """Stage ``new`` as it ran before deploy 1: its copy with ``old``'s DEPLOY_1_FILES."""
    shutil.copytree(new.path, folder, ignore=shutil.ignore_patterns("var", "__pycache__"))
    for name in DEPLOY_1_FILES:
        shutil.rmtree(folder / name)
        shutil.copytree(
            old.path / name, folder / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    return replace(new, path=folder)


def migrate_under_load(*, seconds: int = 30, users: int = 12, at: float = 0.4):
    """The migration at ``at`` of a ``seconds`` crowd of ``users``; a MigrationUnderLoad."""
    new = stage_get("05")
    raw_dir = RESULTS_DIR / "raw" / f"05-{datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}-migrate"
    raw_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        before = release_before(new, stage_get("04"), Path(tmp) / new.name)
        with private_stack(before, quiet=True) as stack:
            return _run(stack, new, raw_dir, seconds=seconds, users=users, at=at)


def _run(stack, new, raw_dir: Path, *, seconds, users, at) -> MigrationUnderLoad:
    env = stack.env()
    primary_url, replica_urls = env["DATABASE_URL"], env["DATABASE_REPLICA_URLS"].split(",")
    primary = connect(primary_url)
    if has_email_column(primary):
        raise RuntimeError("the release before deploy 1 already has the email column")
    had_column = {}
    for n, url in enumerate(replica_urls, start=1):
        replica = connect(url)
        had_column[f"replica{n}"] = has_email_column(replica)
        replica.close()
    shop_map_save(shop_discover(stack.url), raw_dir / "shop.json")
    prefix = raw_dir / "crowd"
    command = locust_command(CROWD, host=stack.url, users=users, seconds=seconds, prefix=prefix)
    with (raw_dir / "locust.log").open("w") as log:
        locust_env = dict(os.environ, **{SHOP_MAP_ENV: str(raw_dir / "shop.json")})
        crowd = subprocess.Popen(command, env=locust_env, stdout=log, stderr=subprocess.STDOUT)
    try:
        time.sleep(seconds * at)
        waits_before = row_lock_counters(primary)
        sampler = LockSampler(primary_url)
        sampler.start()
        started = time.monotonic()
        # Once, on the primary, with the new release's code: the deploy's migrate step.
        migrate = [sys.executable, "manage.py", "migrate", *MIGRATION, "--no-input", "-v", "0"]
        subprocess.run(migrate, cwd=new.path, env=new.env(**env), check=True)
        migrate_seconds = time.monotonic() - started
        locks = sampler.stop()
        waits_after = row_lock_counters(primary)
        position = query(primary, "SELECT @@gtid_binlog_pos")[0][0]
        replicas = {
            f"replica{n}": {"had_column": had_column[f"replica{n}"]}
            | replica_catch_up(url, position)
            for n, url in enumerate(replica_urls, start=1)
        }
        crowd.wait(timeout=seconds + 120)
    finally:
        if crowd.poll() is None:  # ours, by its pid
            crowd.send_signal(signal.SIGTERM)
            crowd.wait(timeout=30)
        primary.close()
    total = stats_read(prefix).set_index("endpoint").loc[AGGREGATED]
    return MigrationUnderLoad(
        requests=int(total["requests"]), failures=int(total["failures"]),
        migrate_seconds=migrate_seconds, locks=locks,
        row_lock_waits=waits_after[0] - waits_before[0],
        row_lock_wait_seconds=waits_after[1] - waits_before[1], replicas=replicas,
    )  # fmt: skip


if __name__ == "__main__":
    for name, value in migrate_under_load().summary().items():
        print(f"{name:<32} {value}")
