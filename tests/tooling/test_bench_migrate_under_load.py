"""workshop/bench/experiments/migrate_under_load.py: stage 05's deploy 1 migration on the
primary of a private stage-05 stack while a crowd browses and buys through nginx."""

import pytest

from workshop.bench.experiments.migrate_under_load import Locks, migrate_under_load, release_before
from workshop.stack import StackError
from workshop.stages import stage_get
from workshop.testing.services import require


def test_the_sampler_keeps_the_longest_alter_and_the_longest_lock_wait():
    locks = Locks()

    locks.see(7, "altering table", "ALTER TABLE `orders_order` ADD COLUMN `email`", 0.04)
    locks.see(7, "altering table", "ALTER TABLE `orders_order` ADD COLUMN `email`", 0.09)
    locks.see(8, "Waiting for table metadata lock", "SELECT * FROM orders_order", 0.5)
    locks.see(8, "Waiting for table metadata lock", "SELECT * FROM orders_order", 1.5)
    locks.see(9, "Sending data", "SELECT * FROM catalogue_product", 3.0)

    assert (locks.alter_seconds, locks.longest_wait_seconds) == (0.09, 1.5)
    assert len(locks.waiting) == 1 and locks.statements_seen == 5


def test_the_release_before_deploy_1_is_stage_05_with_stage_04s_orders(tmp_path):
    before = release_before(stage_get("05"), stage_get("04"), tmp_path / "05")

    assert (before.path / "replicas" / "router.py").is_file()
    assert "email" not in (before.path / "orders" / "models.py").read_text()
    assert not (before.path / "orders" / "migrations" / "0003_order_email.py").exists()


@pytest.mark.stack
def test_deploy_1_migrates_under_load_without_a_failed_request_and_reaches_the_replicas():
    try:
        result = migrate_under_load(seconds=20, users=6)
    except StackError as error:
        require(f"stage 05's native stack: {error}")

    assert result.requests > 0 and result.failures == 0, result.summary()
    # The sampler read the orders table itself all through the migration, so a lock held
    # on it would have shown as a slow read. (Other sessions' statements are not a sure
    # sign: on a quiet machine deploy 1 is over in a few samples, and none may be caught.)
    assert result.locks.samples > 10, result.summary()
    assert result.locks.slowest_read_seconds < 1.0, result.summary()
    assert result.locks.longest_wait_seconds < 1.0, result.summary()
    for replica in result.replicas.values():
        assert (replica["had_column"], replica["has_column"]) == (False, True), result.summary()
