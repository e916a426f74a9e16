"""The migrations the linter flags that were reviewed and ship all the same, each with
why: read by the linter's settings (migration_linter_settings.py) and by its test."""

# Reviewed contract steps (stage 05's README, "Migration rules"): each breaks the code two
# releases back, which the linter rightly flags, so each ships only in a release after the
# one whose code stopped needing what it removes or tightens.
CONTRACTS_REVIEWED = {
    # stages/05_replicas_failover/deploys/next/: the order's email becomes required, after
    # stage 05, whose code writes it on every order.
    "0004_order_email_required",
}
# Reviewed and safe, but flagged on SQLite alone. SQLite cannot add a UNIQUE column or a
# constraint in place, so Django rebuilds the table, and the linter takes every NOT NULL
# column of the rebuilt table for a new one. MariaDB's SQL for the same steps passes.
# (The linter's IgnoreMigration() would import a [dev] tool into the app's migrations.)
SQLITE_REBUILDS_REVIEWED = {
    # orders 0002 (stages 01-03): a nullable column that old code never reads; its unique
    # index holds only NULLs when it is added.
    "0002_order_checkout_key",
}
