"""Tests that need a real service skip on a laptop, and fail in CI.

CI sets WORKSHOP_REQUIRE_SERVICES=1, so a missing MariaDB, memcached or native stack
can never turn into a green run made of skips.
"""

import os

import pytest

REQUIRE_VAR = "WORKSHOP_REQUIRE_SERVICES"


def services_required() -> bool:
    return os.environ.get(REQUIRE_VAR, "") not in ("", "0")


def require(reason: str):
    """Skip the test with ``reason``; fail it instead when services are required."""
    if services_required():
        pytest.fail(f"{reason} ({REQUIRE_VAR} is set, so this cannot be skipped)", pytrace=False)
    skip = pytest.skip.Exception(reason)
    # pytest's list of skips then names the test, not this line (as for a skip mark).
    skip._use_item_location = True
    raise skip
