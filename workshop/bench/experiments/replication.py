"""Stage 05's databases watched while a run goes on: where the SELECTs land, and how far
each replica lags behind the primary.

A sampler thread reads every MariaDB of the stack every ``interval`` seconds, as root
over the server's own socket, with SHOW statements only: they count in Questions but not
in Com_select, so the watching adds no SELECT to the figures it reads. Per sample and
server: Com_select and Questions since the server started, and for a replica its
Seconds_Behind_Master and the transactions it lacks of the primary's binary log (GTID
positions, read from the primary just before the replicas). ``transactions``: the GTID
sequence a server has reached (written on the primary, applied on a replica), so that
the primary's rows count the writes.
"""

import contextlib
import threading
import time

import numpy as np
import pandas as pd

from workshop.stack.kinds.replication import gtid_behind

SAMPLE_SECONDS = 0.2
TIMEOUT_SECONDS = 1  # a server that takes longer is left out of that sample
PERCENTILES = (50, 95, 99)
COLUMNS = ["t", "server", "role", "com_select", "questions", "transactions", "seconds_behind"]
COLUMNS += ["behind"]


class ReplicationSampler:
    """``with ReplicationSampler(stack) as sampler: …``; then ``sampler.frame()``: one row
    per sample and server (COLUMNS; ``t`` in seconds since the epoch). A server that does
    not answer (killed) gives a row of NaN and is connected to again at the next sample."""

    def __init__(self, stack, interval: float = SAMPLE_SECONDS):
        from workshop.stack.databases import databases

        self.servers = databases(stack)
        self.interval = interval
        self.rows: list[dict] = []
        self._connections: dict[str, object] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="replication-sampler", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)
        for connection in self._connections.values():
            _close(connection)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=COLUMNS)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            self.rows += self.sample()
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - started)))

    def sample(self) -> list[dict]:
        now, rows, primary_pos = time.time(), [], None
        for server in sorted(self.servers, key=lambda s: s.role != "primary"):
            reading = self._read(server)
            if reading:
                position = reading.pop("position")
                reading["transactions"] = gtid_behind(position, "")  # every sequence, summed
            if server.role == "primary" and reading:
                primary_pos = position
            elif reading and primary_pos is not None:
                reading["behind"] = gtid_behind(primary_pos, position)
            rows.append({"t": now, "server": server.name, "role": server.role, **(reading or {})})
        return rows

    def _read(self, server) -> dict | None:
        import MySQLdb

        try:
            connection = self._connections.get(server.name) or _connect(server)
            self._connections[server.name] = connection
            return server_reading(connection.cursor(), primary=server.role == "primary")
        except MySQLdb.Error:
            _close(self._connections.pop(server.name, None))
            return None


def _connect(server):
    """Root's connection over the server's socket, as ``server.connect`` opens it, with
    timeouts: a server that stops answering (SIGSTOP) must not stall every sample."""
    import MySQLdb

    return MySQLdb.connect(
        unix_socket=str(server.socket), user="root", autocommit=True,
        connect_timeout=TIMEOUT_SECONDS, read_timeout=TIMEOUT_SECONDS,
    )  # fmt: skip


def server_reading(cursor, *, primary: bool) -> dict:
    """One server's counters and replication position, by SHOW statements alone."""
    cursor.execute("SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_select', 'Questions')")
    status = {name.lower(): int(value) for name, value in cursor.fetchall()}
    variable = "gtid_binlog_pos" if primary else "gtid_slave_pos"
    cursor.execute(f"SHOW GLOBAL VARIABLES LIKE '{variable}'")
    row = cursor.fetchone()
    reading = {**status, "position": row[1] if row else ""}
    if not primary:
        cursor.execute("SHOW SLAVE STATUS")
        names = [column[0] for column in cursor.description or ()]
        values = dict(zip(names, cursor.fetchone() or (), strict=False))
        seconds = values.get("Seconds_Behind_Master")
        reading["seconds_behind"] = None if seconds is None else int(seconds)
    return reading


def _close(connection) -> None:
    if connection is not None:
        with contextlib.suppress(Exception):  # a killed server's connection may be gone
            connection.close()


def lag_percentiles(samples: pd.DataFrame, percentiles=PERCENTILES) -> pd.DataFrame:
    """Per replica: how many samples answered, the percentiles and the worst of its lag in
    transactions (GTID) and in seconds (Seconds_Behind_Master, whole seconds), and the
    share of samples at which it had applied everything."""
    rows = {}
    for name, group in samples[samples["role"] == "replica"].groupby("server"):
        behind = group["behind"].dropna().astype(float)
        seconds = group["seconds_behind"].dropna().astype(float)
        row = {"samples": len(behind)}
        for label, values in (("transactions", behind), ("seconds", seconds)):
            for p in percentiles:
                row[f"{label} p{p}"] = np.percentile(values, p) if len(values) else np.nan
            row[f"{label} max"] = values.max() if len(values) else np.nan
        row["caught up (share)"] = (behind == 0).mean() if len(behind) else np.nan
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("replica")


def selects_per_second(samples: pd.DataFrame, origin: float, *, bin_seconds=1.0) -> pd.DataFrame:
    """SELECTs per second on each server, one column per server, averaged over bins of
    ``bin_seconds`` (``t``: each bin's start, in seconds after ``origin``). An interval in
    which the server did not answer (killed) or restarted (its counters start again from
    zero) gives no rate; a bin without any rate is NaN."""
    table = samples.pivot_table(index="t", columns="server", values="com_select", dropna=False)
    table = table.sort_index()
    elapsed = pd.Series(table.index, index=table.index).diff()
    rates = table.diff().div(elapsed, axis=0)
    rates = rates.where(rates >= 0).iloc[1:]
    bins = ((rates.index - origin) // bin_seconds) * bin_seconds
    binned = rates.groupby(bins).mean()
    binned.columns.name = None
    return binned.rename_axis("t")
