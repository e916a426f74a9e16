"""Settings to lint a stage's migrations with django-migration-linter: the stage's own
settings (its `shop.settings`, found on the path as manage.py finds it) plus the linter's
app, which is a [dev] tool that no stage installs. From a stage's folder:

    DJANGO_SETTINGS_MODULE=workshop.migration_linter_settings python -m django lintmigrations

It lints the SQL of the database that DATABASE_URL names (SQLite by default) and writes
nothing there. tests/tooling/test_migration_linter.py runs it over every stage."""

from shop.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "django_migration_linter"]  # noqa: F405

# Reviewed contract steps (stage 05's README, "Migration rules"): each breaks the code two
# releases back, which the linter rightly flags, so each ships only in a release after the
# one whose code stopped needing what it removes or tightens.
CONTRACTS_REVIEWED = {
    # stages/05_replicas_failover/deploys/next/: the order's email becomes required, after
    # stage 05, whose code writes it on every order.
    "0004_order_email_required",
}
MIGRATION_LINTER_OPTIONS = {"no_cache": True, "ignore_name": sorted(CONTRACTS_REVIEWED)}

# Reviewed and safe, but flagged on SQLite alone. SQLite cannot add a UNIQUE column or a
# constraint in place, so Django rebuilds the table, and the linter takes every NOT NULL
# column of the rebuilt table for a new one. MariaDB's SQL for the same steps passes.
# (The linter's IgnoreMigration() would import a [dev] tool into the app's migrations.)
SQLITE_REBUILDS_REVIEWED = {
    # orders 0002 (stages 01-03): a nullable column that old code never reads; its unique
    # index holds only NULLs when it is added.
    "0002_order_checkout_key",
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    MIGRATION_LINTER_OPTIONS["ignore_name"] = sorted(SQLITE_REBUILDS_REVIEWED | CONTRACTS_REVIEWED)
    # An app's first migration creates its tables, which no running code reads yet (stage
    # 03's cart 0001 then adds its constraints, which SQLite does by a rebuild).
    MIGRATION_LINTER_OPTIONS["ignore_initial_migrations"] = True
