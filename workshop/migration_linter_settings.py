"""Settings to lint a stage's migrations with django-migration-linter: the stage's own
settings (its `shop.settings`, found on the path as manage.py finds it) plus the linter's
app, which is a [dev] tool that no stage installs. From a stage's folder:

    DJANGO_SETTINGS_MODULE=workshop.migration_linter_settings python -m django lintmigrations

It lints the SQL of the database that DATABASE_URL names (SQLite by default) and writes
nothing there. tests/tooling/test_migration_linter.py runs it over every stage."""

from shop.settings import *  # noqa: F403

from workshop.migration_reviews import CONTRACTS_REVIEWED, SQLITE_REBUILDS_REVIEWED

INSTALLED_APPS = [*INSTALLED_APPS, "django_migration_linter"]  # noqa: F405

MIGRATION_LINTER_OPTIONS = {"no_cache": True, "ignore_name": sorted(CONTRACTS_REVIEWED)}

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    MIGRATION_LINTER_OPTIONS["ignore_name"] = sorted(SQLITE_REBUILDS_REVIEWED | CONTRACTS_REVIEWED)
    # An app's first migration creates its tables, which no running code reads yet (stage
    # 03's cart 0001 then adds its constraints, which SQLite does by a rebuild).
    MIGRATION_LINTER_OPTIONS["ignore_initial_migrations"] = True
