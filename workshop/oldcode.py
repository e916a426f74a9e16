"""Old code on the new schema. In a rolling deploy the release before keeps serving, for a
while, on the schema the new release has just migrated: ``workshop test 04 --schema-of 05``
checks that it can. It migrates a test database with stage 05's manage.py, then runs stage
04's code and the shared behaviour suite on it, with pytest-django's --reuse-db: the
database is taken as it is, and stage 04's own migrate finds all of its migrations applied.
MariaDB only, as in production (SQLite's test database lives in memory, per process)."""

import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

from .bench.db import mysql_connect_args
from .stages import Stage
from .testing.services import services_required
from .testrun import BEHAVIOUR_TESTS, SuiteResult, suite_run


def test_database_url(url: str) -> str:
    """The database pytest-django uses for ``url``: Django's test_<name>."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/test_" + parts.path.lstrip("/")))


def database_recreate(url: str, *, drop_only: bool = False) -> None:
    import MySQLdb

    name = urlsplit(url).path.lstrip("/")
    connection = MySQLdb.connect(**mysql_connect_args(url))
    try:
        cursor = connection.cursor()
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        if not drop_only:
            cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    finally:
        connection.close()


def schema_migrate(stage: Stage, url: str) -> None:
    """The stage's migrations, all of them, on the database at ``url``."""
    command = [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"]
    result = subprocess.run(command, cwd=stage.path, env=stage.env(DATABASE_URL=url))
    if result.returncode:
        raise SystemExit(f"stage {stage.number}'s migrations failed on {url}")


def old_code_suite_run(old: Stage, new: Stage, *, tests=None, pytest_args=()) -> SuiteResult:
    """``old``'s code and the behaviour suite (or ``tests``) on ``new``'s schema."""
    name = f"{old.number} on {new.number}"
    url = os.environ.get("DATABASE_URL", "")
    if mysql_connect_args(url) is None:
        reason = "needs MariaDB: DATABASE_URL=mysql://root:@127.0.0.1:3306/<database>"
        print(f"\n=== {name}: skipped, {reason}", flush=True)
        return SuiteResult(name, skipped=1, failed=int(services_required()))
    test_url = test_database_url(url)
    database_recreate(test_url)
    try:
        schema_migrate(new, test_url)
        pytest_args = ["-o", "django_find_project=false", "--reuse-db", *pytest_args]
        return suite_run(name, tests or [BEHAVIOUR_TESTS], env=old.env(), pytest_args=pytest_args)
    finally:
        database_recreate(test_url, drop_only=True)
