"""Old code on the new schema (workshop/oldcode.py): stage 04's code passes its checkout
tests on a database that stage 05's migrations made, and fails them once a contract step
that it cannot live with is applied too early. On MariaDB, as in production."""

import os
import shutil
from dataclasses import replace

import pytest

from workshop.bench.db import mysql_connect_args
from workshop.oldcode import old_code_suite_run
from workshop.stages import stage_get
from workshop.testing.services import require
from workshop.testrun import BEHAVIOUR_TESTS

CHECKOUT_TESTS = [BEHAVIOUR_TESTS / "test_checkout.py"]
CONTRACT = "deploys/next/0004_order_email_required.py"


@pytest.fixture(autouse=True)
def _mariadb():
    if mysql_connect_args(os.environ.get("DATABASE_URL", "")) is None:
        require("needs MariaDB: DATABASE_URL=mysql://root:@127.0.0.1:3306/<database>")


def test_stage_04s_checkout_passes_on_stage_05s_schema(capfd):
    result = old_code_suite_run(stage_get("04"), stage_get("05"), tests=CHECKOUT_TESTS)

    assert result.ok and result.passed > 0 and result.failed == 0, capfd.readouterr().out


def test_stage_04s_checkout_fails_once_the_email_is_required_too_early(tmp_path, capfd):
    """Deploy 2 (deploys/next/) applied while stage 04's code still runs: its INSERT names
    no email, and MariaDB refuses it."""
    early = tmp_path / "05_with_deploy_2"
    stage = stage_get("05")
    shutil.copytree(stage.path, early, ignore=shutil.ignore_patterns("var", "__pycache__"))
    shutil.copy(stage.path / CONTRACT, early / "orders" / "migrations")

    result = old_code_suite_run(stage_get("04"), replace(stage, path=early), tests=CHECKOUT_TESTS)

    output = capfd.readouterr().out
    assert result.failed > 0, output
    assert "Field 'email' doesn't have a default value" in output
