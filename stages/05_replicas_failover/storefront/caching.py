"""The cache under both levels (memcached in the stack): versions of the data, and entries
kept under keys made of those versions, rebuilt by one worker at a time.

A version is a random token per piece of data ("product:kaito-vista-55", "tree"). A
change bumps it (storefront/invalidation.py), so every entry whose key holds it misses
at once, and only those: nothing is deleted, nothing else is touched.
"""

import hashlib
import secrets
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from replicas.pinning import primary_reads

# How long a worker may take to rebuild an entry before another one tries.
LOCK_SECONDS = 10
# How long to wait for another worker's rebuild when there is no older copy to serve.
WAIT_SECONDS = 2.0
# Set when this request got an older copy while another worker rebuilds: a page made from
# it must not become a page file (pagefiles/middleware.py), which would outlive the rebuild.
stale_served: ContextVar[bool] = ContextVar("stale_served", default=False)


def _hashed(text: str) -> str:
    # memcached keys are short and plain; URLs and slugs need not be.
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def versions_get(names) -> dict[str, str]:
    """The current version of each name, in one round trip to the cache."""
    keys = {name: "version:" + _hashed(name) for name in names}
    found = cache.get_many(keys.values())
    versions = {}
    for name, key in keys.items():
        if key not in found:
            # Always a new version, never a default like 0: after memcached evicts the
            # key, entries cached under an old version must not come back.
            fresh = secrets.token_hex(6)
            found[key] = fresh if cache.add(key, fresh, timeout=None) else cache.get(key, fresh)
        versions[name] = found[key]
    return versions


def versions_bump(names) -> None:
    cache.set_many({"version:" + _hashed(n): secrets.token_hex(6) for n in names}, timeout=None)
    # Stage 05: the replicas may not have the change behind this bump yet, and an entry
    # rebuilt from one would keep the old data under the new version until the next
    # change. For as long as a writer is pinned, rebuilds of these read the primary.
    fresh = {"changed:" + _hashed(n): 1 for n in names}
    cache.set_many(fresh, timeout=settings.REPLICA_PIN_SECONDS)


def changed_just_now(names) -> bool:
    return bool(cache.get_many(["changed:" + _hashed(n) for n in set(names)]))


def versioned_key(kind: str, identity: str, names) -> str:
    """The key of an entry about ``identity`` built from the data ``names``."""
    versions = versions_get(sorted(set(names)))
    return f"{kind}:{_hashed(identity)}:" + _hashed(":".join(versions.values()))


def cached(*, kind: str, identity: str, names, build, timeout: int | None = None):
    """The entry, or ``build()`` stored under its versioned key. ``build`` returning None
    (a product that does not exist) is answered, not stored."""
    key = versioned_key(kind, identity, names)
    value = cache.get(key)
    if value is None:
        if changed_just_now(names):
            build = primary_reads(build)
        value = _rebuild(key, f"{kind}-latest:{_hashed(identity)}", build, timeout)
    return value


def _rebuild(key: str, latest_key: str, build, timeout: int | None):
    """No stampede: one worker rebuilds (the one whose cache.add wins the lock), while the
    others serve the latest copy (kept under a key with no version in it) for as long as
    the rebuild takes. With no copy at all, they wait a moment for the builder."""
    # exercise: step 5: one worker rebuilds, the others serve the latest copy meanwhile
    lock, deadline = key + ":lock", time.monotonic() + WAIT_SECONDS
    while not cache.add(lock, 1, timeout=LOCK_SECONDS):
        if (latest := cache.get(latest_key)) is not None:
            stale_served.set(True)
            return latest
        if time.monotonic() > deadline:
            return build()  # the builder is stuck: better a second build than no page
        time.sleep(0.05)
        if (value := cache.get(key)) is not None:
            return value
    try:
        # Another worker may have finished between our miss and our lock.
        if (value := cache.get(key)) is not None:
            return value
        return _store([key, latest_key], build(), timeout)
    finally:
        cache.delete(lock)
    # exercise: end, stand-in: return _store([key], build(), timeout)


def _store(keys, value, timeout: int | None):
    if value is not None:
        cache.set_many(dict.fromkeys(keys, value), timeout=timeout or settings.DATA_CACHE_SECONDS)
    return value


def skeletons_flush() -> None:
    """Retire every page skeleton at once (level two), keeping level one: every skeleton
    key holds the version of "skeletons"."""
    versions_bump(["skeletons"])
