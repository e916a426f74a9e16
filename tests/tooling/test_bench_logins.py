"""The logins of a run and the CPU of one password check (workshop/bench/logins.py)."""

import time

import pandas as pd
import pytest

from workshop.bench import logins, runner


def stats(**requests_by_endpoint) -> pd.DataFrame:
    return pd.DataFrame([{"endpoint": e, "requests": n} for e, n in requests_by_endpoint.items()])


def test_a_run_records_its_logins_and_the_cpu_of_one_hash(monkeypatch):
    monkeypatch.setattr(runner, "hash_cpu_ms", lambda: 231.0)
    run = stats(**{"GET /cart/": 40, logins.LOGIN: 7, "Aggregated": 300})

    rows = {row["metric"]: row["value"] for row in runner._login_rows(run)}

    assert rows == {"logins": 7, "login_hash_ms": 231.0}


def test_a_run_without_logins_records_none():
    assert runner._login_rows(stats(**{"GET /": 90, "Aggregated": 90})) == []
    assert runner._login_rows(stats(**{logins.LOGIN: 0, "Aggregated": 90})) == []


def test_one_hash_is_what_djangos_default_hasher_costs(monkeypatch):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    def encode(self, password, salt, iterations=None):
        started = time.process_time()
        while time.process_time() - started < 0.05:  # a hasher that costs 50 ms of CPU
            pass
        return "hashed"

    monkeypatch.setattr(PBKDF2PasswordHasher, "encode", encode)
    logins.hash_cpu_ms.cache_clear()
    try:
        assert logins.hash_cpu_ms() == pytest.approx(50, abs=5)
    finally:
        logins.hash_cpu_ms.cache_clear()
