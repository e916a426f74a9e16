"""django-migration-linter over every stage's migrations (its apps' and the shared
catalogue's): no migration may break the code still running beside it in a rolling deploy.
It lints the SQL of the database DATABASE_URL names (SQLite by default, MariaDB in CI's full
pass), through workshop/migration_linter_settings.py, in a process of its own per project."""

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from workshop import ROOT
from workshop.bench.db import mysql_connect_args
from workshop.migration_reviews import SQLITE_REBUILDS_REVIEWED
from workshop.stages import stage_list

LINT_SETTINGS = "workshop.migration_linter_settings"


@pytest.fixture(scope="module")
def lint_env(tmp_path_factory) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    env["SHOP_VAR_DIR"] = str(tmp_path_factory.mktemp("lint-var"))
    env["DJANGO_SECRET_KEY"] = "migration-linter-test"
    database_ensure(env.get("DATABASE_URL", ""))
    return env


def database_ensure(url: str) -> None:
    """The linter reads nothing from MariaDB but the server's version and which migrations
    are applied, yet Django needs the database to exist (pytest-django makes only test_*)."""
    args = mysql_connect_args(url)
    if args is None:
        return
    import MySQLdb

    connection = MySQLdb.connect(**args)
    try:
        name = urlsplit(url).path.lstrip("/")
        connection.cursor().execute(f"CREATE DATABASE IF NOT EXISTS `{name}`")
    finally:
        connection.close()


def lint(project: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`lintmigrations` on the project whose settings are `shop.settings` in ``project``."""
    env = {**env, "DJANGO_SETTINGS_MODULE": LINT_SETTINGS, "PYTHONPATH": str(project)}
    return subprocess.run(
        [sys.executable, "-m", "django", "lintmigrations", *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def lint_report(output: str) -> dict[tuple[str, str], tuple[str, list[str]]]:
    """Each migration the linter read: its verdict (OK, ERR, WARNING, IGNORE) and the names
    of the issues it reported ("DROPPING columns", …), without the table and column."""
    report = {}
    for line in output.splitlines():
        if heading := re.fullmatch(r"\((\w+), (\w+)\)\.\.\. (.+)", line):
            issues = []
            report[heading[1], heading[2]] = (heading[3], issues)
        elif line.startswith("\t") and report:
            issues.append(line.strip().partition(" (table:")[0])
    return report


def verdicts_expected(stage_path: Path, *, url: str) -> dict[tuple[str, str], str]:
    """Every migration the stage runs (its apps' and the catalogue's, from the disk): OK, or
    on SQLite IGNORE for those workshop/migration_linter_settings.py reviewed there."""
    files = [
        *stage_path.glob("*/migrations/0*.py"),
        *(ROOT / "workshop").glob("*/migrations/0*.py"),
    ]
    sqlite = mysql_connect_args(url) is None
    reviewed = {"0001_initial", *SQLITE_REBUILDS_REVIEWED}
    return {
        (path.parent.parent.name, path.stem): "IGNORE" if sqlite and path.stem in reviewed else "OK"
        for path in files
    }


@pytest.mark.parametrize("stage", stage_list(), ids=lambda s: s.number)
def test_the_linter_passes_every_migration_of_a_stage(stage, lint_env):
    """The linter reads every migration of the stage and passes each one; it skips only the
    few reviewed on SQLite, where Django rebuilds a table to add a unique column or a
    constraint and the linter takes the rebuilt table's NOT NULL columns for new ones."""
    result = lint(stage.path, env=lint_env)
    verdicts = {name: verdict for name, (verdict, _) in lint_report(result.stdout).items()}

    assert result.returncode == 0, result.stdout + result.stderr
    assert verdicts == verdicts_expected(stage.path, url=lint_env.get("DATABASE_URL", ""))


# A throwaway project shaped like a stage: shop/settings.py and one app, `warehouse`, with a
# product whose `code` is to be replaced by a required `sku`.
SETTINGS = """
    import environ
    from workshop.settings_help import database_from_env

    SECRET_KEY = "migration-linter-test"
    INSTALLED_APPS = ["warehouse"]
    DATABASES = {"default": database_from_env(environ.Env(), default="sqlite:///{db}")}
    USE_TZ = True
"""
HEADER = """
    from django.db import migrations, models

    import django_migration_linter as linter
"""
INITIAL = """
    class Migration(migrations.Migration):
        initial = True
        operations = [
            migrations.CreateModel(
                name="Product",
                fields=[
                    ("id", models.BigAutoField(primary_key=True, serialize=False)),
                    ("name", models.CharField(max_length=200)),
                    ("code", models.CharField(max_length=20)),
                ],
            ),
        ]
"""
# One deploy: old code still selects `code` and inserts rows without `sku`.
UNSAFE = """
    class Migration(migrations.Migration):
        dependencies = [("warehouse", "0001_initial")]
        operations = [
            migrations.RemoveField(model_name="product", name="code"),
            migrations.AddField(
                model_name="product", name="sku", field=models.CharField(max_length=20)
            ),
        ]
"""
# Deploy 1 (expand): a nullable `sku`, filled from `code`; the new code writes both.
EXPAND = """
    def sku_from_code(apps, schema_editor):
        Product = apps.get_model("warehouse", "Product")
        Product.objects.filter(sku=None).update(sku=models.F("code"))


    class Migration(migrations.Migration):
        dependencies = [("warehouse", "0001_initial")]
        operations = [
            migrations.AddField(
                model_name="product", name="sku", field=models.CharField(max_length=20, null=True)
            ),
            migrations.RunPython(sku_from_code, migrations.RunPython.noop),
        ]
"""
# Deploy 2 (contract): once no running code reads `code`, it goes. The linter cannot know
# that, so the step says so with the linter's ignore mechanism.
CONTRACT = """
    class Migration(migrations.Migration):
        dependencies = [("warehouse", "0002_sku_added")]
        operations = [
            linter.IgnoreMigration(),  # deploy 2: no code running since deploy 1 reads `code`
            migrations.RemoveField(model_name="product", name="code"),
        ]
"""


def project_write(folder: Path, migrations: dict[str, str]) -> Path:
    for package in ("shop", "warehouse", "warehouse/migrations"):
        (folder / package).mkdir(parents=True)
        (folder / package / "__init__.py").write_text("")
    settings = textwrap.dedent(SETTINGS).replace("{db}", str(folder / "db.sqlite3"))
    (folder / "shop" / "settings.py").write_text(settings)
    for name, body in {"0001_initial": INITIAL, **migrations}.items():
        source = textwrap.dedent(HEADER) + textwrap.dedent(body)
        (folder / "warehouse" / "migrations" / f"{name}.py").write_text(source)
    return folder


def test_the_linter_flags_a_column_dropped_and_a_required_column_added_in_one_step(
    tmp_path, lint_env
):
    """Dropping a column that old code reads and adding a NOT NULL column without a
    default, in one migration, is an error, with an issue for each of the two."""
    project = project_write(tmp_path, {"0002_sku_replaces_code": UNSAFE})

    result = lint(project, env=lint_env)
    verdict, issues = lint_report(result.stdout)["warehouse", "0002_sku_replaces_code"]

    assert result.returncode == 1, result.stdout + result.stderr
    assert verdict == "ERR"
    assert sorted(issues) == ["DROPPING columns", "NOT NULL constraint on columns"]


def test_the_linter_passes_the_same_change_made_in_two_deploys(tmp_path, lint_env):
    """A nullable column filled by a reversible data migration passes as it is; the column
    is dropped in a later deploy, by a migration that says why it may."""
    project = project_write(tmp_path, {"0002_sku_added": EXPAND, "0003_code_removed": CONTRACT})

    result = lint(project, env=lint_env)
    report = lint_report(result.stdout)

    assert result.returncode == 0, result.stdout + result.stderr
    assert report["warehouse", "0002_sku_added"] == ("OK", [])
    assert report["warehouse", "0003_code_removed"] == ("IGNORE", [])


# Stage 05's worked example (its README, "Migration rules"): the order's email, which
# becomes required in two deploys. deploys/ holds what is not in its migrations (yet).
STAGE_05 = ROOT / "stages" / "05_replicas_failover"
STAGE_05_ONE_STEP = STAGE_05 / "deploys" / "one_step" / "0003_order_email.py"
STAGE_05_CONTRACT = STAGE_05 / "deploys" / "next" / "0004_order_email_required.py"


def stage_05_with(folder: Path, *migrations: Path) -> Path:
    """A copy of stage 05 whose orders app has ``migrations`` too (one of the same name
    replaces the stage's own)."""
    shutil.copytree(STAGE_05, folder, ignore=shutil.ignore_patterns("var", "__pycache__"))
    for migration in migrations:
        shutil.copyfile(migration, folder / "orders" / "migrations" / migration.name)
    return folder


def assert_not_null_flagged(result, migration: str) -> None:
    """The linter failed, and said why: the orders' ``migration`` adds a NOT NULL column."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert lint_report(result.stdout)["orders", migration] == (
        "ERR",
        ["NOT NULL constraint on columns"],
    )


def test_the_linter_flags_stage_05s_change_made_in_one_deploy(tmp_path, lint_env):
    """A required email added in one step, as makemigrations writes it (a one-off default,
    dropped at once): the code before it, still running, would insert orders without one."""
    project = stage_05_with(tmp_path / "stage", STAGE_05_ONE_STEP)

    assert_not_null_flagged(lint(project, "orders", env=lint_env), "0003_order_email")


def test_the_linter_passes_stage_05s_change_made_in_two_deploys(tmp_path, lint_env):
    """Deploy 1 (a nullable column and its batched backfill) passes as it is; deploy 2's
    NOT NULL passes only as a reviewed contract step, in the release after stage 05."""
    project = stage_05_with(tmp_path / "stage", STAGE_05_CONTRACT)

    result = lint(project, "orders", env=lint_env)
    report = lint_report(result.stdout)

    assert result.returncode == 0, result.stdout + result.stderr
    assert report["orders", "0003_order_email"] == ("OK", [])
    assert report["orders", "0004_order_email_required"] == ("IGNORE", [])


def test_the_contract_step_is_flagged_unless_reviewed(tmp_path, lint_env):
    """The positive control of the test above: deploy 2 alone is not safe beside the code
    before stage 05, and the linter says so when it is linted under another name."""
    contract = tmp_path / "0004_order_email_not_reviewed.py"
    shutil.copyfile(STAGE_05_CONTRACT, contract)
    project = stage_05_with(tmp_path / "stage", contract)

    result = lint(project, "orders", env=lint_env)

    assert_not_null_flagged(result, "0004_order_email_not_reviewed")
