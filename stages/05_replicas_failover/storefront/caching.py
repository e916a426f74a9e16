"""The cache under both levels (memcached in the stack): versions of the data, and entries
kept with the versions they were built from, rebuilt by one worker at a time.

A version is a random token per piece of data ("product:kaito-vista-55", "tree"). A
change bumps it (storefront/invalidation.py), so every entry built from the old one no
longer counts, and only those: nothing is deleted, nothing else is touched. An entry and
the current versions of its data come in one round trip (get_many), and the entry that no
longer counts is the previous copy that others are served while one worker rebuilds it.

An entry is kept under the versions it was read with only if everything it was built from
was current under them: a skeleton built while its data is rebuilt elsewhere gets the
data's previous copy, and is served, as that copy is, but not kept.
"""

import hashlib
import secrets
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from replicas import freshness

# How long a worker may take to rebuild an entry before another one tries.
LOCK_SECONDS = 10
# How long to wait for another worker's rebuild when there is no older copy to serve.
WAIT_SECONDS = 2.0
# memcached counts whole seconds: a lock may expire up to a second before LOCK_SECONDS.
LOCK_CLOCK_SECONDS = 1
# Set when this request got an older copy while another worker rebuilds: a page made from
# it must not become a page file (pagefiles/middleware.py), which would outlive the rebuild,
# nor an entry kept as current (_store), which would outlive it too.
stale_served: ContextVar[bool] = ContextVar("stale_served", default=False)


def _hashed(text: str) -> str:
    # memcached keys are short and plain; URLs and slugs need not be.
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _version_key(name: str) -> str:
    return "version:" + _hashed(name)


def _version_new(key: str) -> str:
    # Always a new version, never a default like 0: after memcached evicts the key,
    # entries built under an old version must not count as current again.
    fresh = secrets.token_hex(6)
    return fresh if cache.add(key, fresh, timeout=None) else cache.get(key, fresh)


def versions_bump(names, *, data_changed: bool = True) -> None:
    if data_changed:
        positions_note(names)
    cache.set_many({_version_key(n): secrets.token_hex(6) for n in names}, timeout=None)


# Stage 05: the replicas may not have the change behind a bump yet, and an entry rebuilt
# from one would keep the old data under the new version until the next change. So each
# bump notes the primary's position once the change committed (before the new version,
# so that whoever sees the version finds the note), and a rebuild of that data reads a
# replica only once it has applied the position (replicas/freshness.py).


def _position_key(name: str) -> str:
    return "position:" + _hashed(name)


def positions_note(names) -> None:
    if position := freshness.primary_position():
        cache.set_many({_position_key(n): position for n in names}, timeout=None)


def reads_fresh(names, build):
    """``build``, reading a copy that holds the latest change noted for ``names``."""
    noted = cache.get_many([_position_key(n) for n in set(names)])
    return freshness.reads_reaching(freshness.position_latest(noted.values()), build)


def _read(key: str, names: list[str]) -> tuple[tuple, tuple | None]:
    """The current versions of ``names`` and the entry under ``key`` (the versions it was
    built from, and its value), in one round trip to the cache."""
    version_keys = [_version_key(n) for n in names]
    found = cache.get_many([*version_keys, key])
    versions = tuple(found.get(k) or _version_new(k) for k in version_keys)
    return versions, found.get(key)


def cached(*, kind: str, identity: str, names, build, timeout=None, previous_ok=True):
    """The entry about ``identity``, if it was built from the current versions of the data
    ``names``; else ``build()``, stored with those versions. ``build`` returning None (a
    product that does not exist) is answered, not stored. ``previous_ok``: whether others
    may be served the previous entry while one worker rebuilds it."""
    key = f"{kind}:{_hashed(identity)}"
    versions, entry = _read(key, sorted(set(names)))
    if (value := _current(entry, versions)) is not None:
        return value
    build = reads_fresh(names, build)
    if not previous_ok:
        return _store(key, versions, build, timeout)
    return _rebuild(key, versions, entry, build, timeout)


def _current(entry: tuple | None, versions: tuple):
    """The entry's value if it was built from ``versions``; None if out of date or absent
    (None itself is never stored)."""
    return entry[1] if entry is not None and entry[0] == versions else None


def _rebuild(key: str, versions: tuple, previous: tuple | None, build, timeout):
    """No stampede: one worker rebuilds (the one whose cache.add wins the lock), while the
    others serve the previous entry, read with the versions, for as long as the rebuild
    takes. With no previous entry at all, they wait a moment for the builder."""
    # exercise 04: step 5: one worker rebuilds, the others serve the previous entry meanwhile
    lock, deadline = key + ":lock", time.monotonic() + WAIT_SECONDS
    while not cache.add(lock, 1, timeout=LOCK_SECONDS):
        if previous is not None:
            stale_served.set(True)
            return previous[1]
        if time.monotonic() > deadline:
            return build()  # the builder is stuck: better a second build than no page
        time.sleep(0.05)
        if (value := _current(cache.get(key), versions)) is not None:
            return value
    taken = time.monotonic()
    try:
        # Another worker may have finished between our miss and our lock.
        if (value := _current(cache.get(key), versions)) is not None:
            return value
        return _store(key, versions, build, timeout)
    finally:
        # After LOCK_SECONDS the lock has expired and may be another worker's: deleting it
        # would let a third one rebuild too. Ours expires by itself.
        if time.monotonic() - taken < LOCK_SECONDS - LOCK_CLOCK_SECONDS:
            cache.delete(lock)
    # exercise 04: end, stand-in: return _store(key, versions, build, timeout)


def _store(key: str, versions: tuple, build, timeout: int | None):
    """``build()``, kept with ``versions`` unless something it was built from was a
    previous copy (stale_served, set by the cached() calls inside it): such a value is
    served, as that copy is, and built again by the next request after the rebuild."""
    outside = stale_served.get()
    stale_served.set(False)
    try:
        value = build()
        previous_used = stale_served.get()
    finally:
        # The request, and any build around this one, learn that a previous copy was used.
        stale_served.set(outside or stale_served.get())
    if value is not None and not previous_used:
        cache.set(key, (versions, value), timeout=timeout or settings.DATA_CACHE_SECONDS)
    return value


def skeletons_flush() -> None:
    """Retire every page skeleton at once (level two), keeping level one: every skeleton
    is built from the version of "skeletons" too."""
    versions_bump(["skeletons"], data_changed=False)  # nothing to wait for on a replica
