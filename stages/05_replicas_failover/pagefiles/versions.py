"""A version for each page path, kept in the cache (memcached in the stack).

Stage 01's page cache puts the version into its keys, so bumping it retires every cached
copy of the page at once, query-string variants (?sort=, ?page=) included. The page-file
writer compares it before and after a render, to catch a change that landed meanwhile.
"""

import hashlib
import secrets

from django.core.cache import cache


def _key(url_path: str) -> str:
    # Hashed: memcached keys are short and plain, URL paths need not be.
    return "page-version:" + hashlib.sha256(url_path.encode()).hexdigest()[:32]


def page_version(url_path: str) -> str:
    key = _key(url_path)
    version = cache.get(key)
    if version is None:
        # Always a new version, never a default like 0: after memcached evicts the key,
        # pages cached under an old version must not come back.
        fresh = secrets.token_hex(6)
        version = fresh if cache.add(key, fresh, timeout=None) else cache.get(key, fresh)
    return version


def page_versions_bump(url_paths) -> None:
    cache.set_many({_key(path): secrets.token_hex(6) for path in url_paths}, timeout=None)
