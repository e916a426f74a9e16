"""Whether a replica holds what a read must see, by the primary's GTID position.

A change bumps the versions of its data (storefront/caching.py) and notes, beside them,
the primary's position once the change has committed (primary_position()). A rebuild of
that data reads the request's replica only once the replica has applied that position:
it waits up to REPLICA_WAIT_SECONDS for it (MariaDB's MASTER_GTID_WAIT), then reads the
primary instead (reads_reaching()). So an entry stored under the new version is built
from a copy that holds the change, however far a replica lags.

Reads no change is noted for (a page whose data no one changed lately, or whose note
memcached lost) rely on the rotation: a replica more than REPLICA_MAX_LAG_SECONDS behind
the primary leaves it until it catches up (replica_behind(), asked by the backend when it
connects and before each request reuses a kept connection), as ProxySQL and MaxScale
take a lagging replica out. Each process checks at most once per LAG_CHECK_SECONDS per
replica: the primary's position then, and what the replica has applied. A replica is
behind when it has not yet applied what the primary had written REPLICA_MAX_LAG_SECONDS
ago. The app's account needs no privilege for it (SHOW SLAVE STATUS would).

REPLICA_FRESHNESS=0 switches both off: the stale-read counter's test shows what a buyer
then sees (tests/tooling/test_load_stale_reads.py).
"""

import contextlib
import logging
import time
from collections import deque

from django.conf import settings
from django.db import DatabaseError, connections

from .pinning import primary_reads, read_state
from .settings import PRIMARY

logger = logging.getLogger("replicas")

LAG_CHECK_SECONDS = 1.0
# The primary's positions this process saw, one per check at most: (monotonic time, position).
_primary_seen: deque = deque(maxlen=300)
# Each replica's last verdict in this process: name -> (monotonic time, behind or not).
_verdicts: dict[str, tuple[float, bool]] = {}


def enabled() -> bool:
    return settings.REPLICA_FRESHNESS


def primary_position() -> str:
    """The primary's GTID position now (after a commit, it covers that commit); "" when
    there is nothing to wait for: no MariaDB, or one that keeps no binary log."""
    connection = connections[PRIMARY]
    if not enabled() or connection.vendor != "mysql":
        return ""
    with connection.cursor() as cursor:
        # SHOW, not SELECT: a question about the server, asked once a second per process
        # by the lag check, which the primary's SELECT counter (what notebook 05 and the
        # stack tests count as the primary's reads of the shop's data) leaves out.
        cursor.execute("SHOW GLOBAL VARIABLES LIKE 'gtid_binlog_pos'")
        row = cursor.fetchone()
        return (row[1] if row else "") or ""


def _gtids(position: str) -> dict[str, int]:
    """{domain: sequence number} of a position such as "0-1-42,1-3-7"."""
    found = {}
    for gtid in filter(None, (part.strip() for part in (position or "").split(","))):
        domain, _server, number = gtid.split("-")
        found[domain] = max(found.get(domain, 0), int(number))
    return found


def position_latest(positions) -> str:
    """One position that covers each of ``positions``: the latest of each domain."""
    latest: dict[str, tuple[int, str]] = {}
    for position in positions:
        for gtid in filter(None, (part.strip() for part in (position or "").split(","))):
            domain, _server, number = gtid.split("-")
            if int(number) >= latest.get(domain, (-1, ""))[0]:
                latest[domain] = (int(number), gtid)
    return ",".join(gtid for _number, gtid in latest.values())


def position_covers(applied: str, wanted: str) -> bool:
    have = _gtids(applied)
    return all(have.get(domain, -1) >= number for domain, number in _gtids(wanted).items())


def reads_reaching(position: str, build):
    """``build``, reading a copy that holds ``position``: the request's replica once it has
    applied it, else the primary."""
    if not position or not enabled():
        return build

    def build_fresh():
        state = read_state.get()
        if state is None or state.alias == PRIMARY or replica_reached(state.alias, position):
            return build()
        return primary_reads(build)()

    return build_fresh


def replica_reached(alias: str, position: str) -> bool:
    """Whether the server under ``alias`` has applied ``position``, waiting a moment."""
    connection = connections[alias]
    servers = connection.settings_dict.get("SERVERS")
    if not servers:
        return True  # the primary's database under another name (no replica URLs)
    with connection.cursor() as cursor:
        if connection.server == servers[-1]["name"]:
            return True  # every replica is dead: this alias reads the primary
        cursor.execute("SELECT MASTER_GTID_WAIT(%s, %s)", [position, settings.REPLICA_WAIT_SECONDS])
        return cursor.fetchone()[0] == 0  # -1: not within the wait; NULL: not a replica


def behind_known(name: str) -> bool:
    """Whether this process found ``name`` behind less than LAG_CHECK_SECONDS ago: the
    backend then passes it by without connecting."""
    verdict = _verdicts.get(name)
    return verdict is not None and verdict[1] and time.monotonic() - verdict[0] < LAG_CHECK_SECONDS


def replica_behind(name: str, raw_connection) -> bool:
    """Whether the replica ``name`` (``raw_connection``: a MySQLdb connection to it) is more
    than REPLICA_MAX_LAG_SECONDS behind the primary; asked again once per LAG_CHECK_SECONDS."""
    if not enabled():
        return False
    now = time.monotonic()
    verdict = _verdicts.get(name)
    if verdict is not None and now - verdict[0] < LAG_CHECK_SECONDS:
        return verdict[1]
    due = _primary_due(now)
    behind = False
    if due:
        cursor = raw_connection.cursor()
        cursor.execute("SELECT @@gtid_slave_pos")
        behind = not position_covers(cursor.fetchone()[0] or "", due)
        cursor.close()
    if behind != (verdict is not None and verdict[1]):
        if behind:
            logger.warning(
                "replica %s is more than %s s behind the primary: out of the rotation",
                name, settings.REPLICA_MAX_LAG_SECONDS,
            )  # fmt: skip
        elif verdict is not None:
            logger.warning("replica %s has caught up: back in the rotation", name)
    _verdicts[name] = (now, behind)
    return behind


def _primary_due(now: float) -> str:
    """The primary's position as it was REPLICA_MAX_LAG_SECONDS ago (the newest this
    process saw that is at least that old); "" when it saw none that old yet."""
    if not _primary_seen or now - _primary_seen[-1][0] >= LAG_CHECK_SECONDS:
        # No primary to compare with: the replicas' reads go on, and are judged later.
        with contextlib.suppress(DatabaseError):
            _primary_seen.append((now, primary_position()))
    due = ""
    for seen, position in _primary_seen:
        if now - seen < settings.REPLICA_MAX_LAG_SECONDS:
            break
        due = position
    return due
