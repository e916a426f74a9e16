"""Which replicas are dead, in the shared cache (memcached), so that every worker of every
app server learns it from the first one that failed to connect; and in each process too,
so that a worker that found a replica dead keeps away from it while memcached is away
(the cache then answers every question with a miss).

A mark holds the time until which the replica counts as dead (the downtime). After it,
one request (the one whose cache.add wins) tries the replica again; the others keep
away until that try has told. Each death is logged once and counted once, where the
notebook reads the count: cache.get("replicas:deaths") and "replicas:deaths:<name>".
"""

import contextlib
import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger("replicas")

DEATHS = "replicas:deaths"
# This process's own marks: name -> the time until which it keeps away.
_dead_here: dict[str, float] = {}


def dead_key(name: str) -> str:
    return f"replicas:dead:{name}"


def replica_state(name: str) -> str:
    """ "live" (no mark), "dead" (keep away), or "retry": its downtime is over and this
    request is the one that tries it again (one cache.add wins, across every server)."""
    if time.time() < _dead_here.get(name, 0):
        return "dead"  # this process found it dead: no need to ask memcached
    # exercise 05: step 4: the mark's verdict; after the downtime, one request tries again
    dead_until = cache.get(dead_key(name))
    if dead_until is None:
        return "live"
    if time.time() < dead_until:
        return "dead"
    return "retry" if cache.add(f"replicas:probe:{name}", 1, timeout=downtime()) else "dead"
    # exercise 05: end, stand-in: return "live"


def replica_dead(name: str, where: str, error) -> None:
    """Mark ``name`` dead for the downtime. A new death is logged and counted; a failed
    retry after the downtime only extends the mark."""
    _dead_here[name] = time.time() + downtime()
    # exercise 05: step 4: mark it dead; log and count a new death once, however many find it
    until = time.time() + downtime()
    if cache.add(dead_key(name), until, timeout=None):
        logger.warning(
            "replica %s (%s) is dead: %s; marked for %s s, its reads go elsewhere",
            name, where, error, downtime(),
        )  # fmt: skip
        for key in (DEATHS, f"{DEATHS}:{name}"):
            cache.add(key, 0, timeout=None)
            with contextlib.suppress(ValueError):  # the counter was lost: memcached is away
                cache.incr(key)
    else:
        cache.set(dead_key(name), until, timeout=None)
    # exercise 05: end, stand-in: pass


def replica_downtime_over(name: str) -> bool:
    """Whether ``name`` may be tried again: no mark, or its downtime has passed. A look
    only: unlike replica_state(), it claims no try."""
    if time.time() < _dead_here.get(name, 0):
        return False
    dead_until = cache.get(dead_key(name))
    return dead_until is None or time.time() >= dead_until


def replica_back(name: str) -> None:
    """The retry after the downtime connected: ``name`` rejoins."""
    _dead_here.pop(name, None)
    cache.delete(dead_key(name))
    logger.warning("replica %s is back: it serves reads again", name)


def replicas_all_dead(alias: str) -> None:
    """Every replica is dead: said once per downtime, not once per connection."""
    if cache.add("replicas:all-dead", 1, timeout=downtime()):
        logger.warning("every replica is dead: reads of %s go to the primary", alias)


def replica_deaths(name: str | None = None) -> int:
    return cache.get(f"{DEATHS}:{name}" if name else DEATHS, 0)


def downtime() -> int:
    return settings.REPLICA_DOWNTIME_SECONDS
