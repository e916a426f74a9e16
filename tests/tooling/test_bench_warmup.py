"""Before the TV spike, ``bench`` runs a stage's warm-up (``manage.py warm_pages``, from
stage 02 on), as the team wrote the safe pages' files before the segment aired."""

import os
from dataclasses import replace
from types import SimpleNamespace

import pytest

from workshop.bench.runner import target_for
from workshop.bench.warmup import WARM_UP_ENV, pages_warm_all, warm_up_exists
from workshop.errors import WorkshopError
from workshop.stages import stage_get


def test_stage_02_has_a_warm_up_and_stage_01_has_nothing_to_warm():
    assert warm_up_exists(stage_get("02"))
    assert not warm_up_exists(stage_get("01"))


def test_a_stage_without_a_warm_up_gets_none_before_its_spike():
    with target_for(stage_get("01"), "http://127.0.0.1:9", quiet=True) as target:
        assert target.warm_up is None


def test_against_a_url_bench_says_that_the_page_files_were_not_warmed():
    """Its manage.py would need the stack's environment, which --url does not give."""
    with target_for(stage_get("02"), "http://127.0.0.1:9", quiet=True) as target:
        assert "NOT warmed" in target.warm_up()


def test_a_failed_warm_up_is_one_line_naming_the_command_and_its_error(tmp_path):
    (tmp_path / "manage.py").write_text(
        "import sys\nprint('Traceback ...', file=sys.stderr)\n"
        "sys.exit('OperationalError: no such table: catalogue_product')\n"
    )
    stage = replace(stage_get("02"), path=tmp_path)
    stack = SimpleNamespace(stage=stage, env=lambda: dict(os.environ))

    with pytest.raises(WorkshopError) as error:
        pages_warm_all(stack)

    message = str(error.value)
    assert message.startswith("manage.py warm_pages failed (exit 1)")
    assert message.endswith("no such table: catalogue_product")


def test_a_short_run_skips_the_warm_up_and_says_so(monkeypatch):
    """CI's short notebook runs set WORKSHOP_BENCH_WARM_UP=0: no page is rendered."""
    from workshop.bench.runner import _warm_up_for

    monkeypatch.setenv(WARM_UP_ENV, "0")
    untouchable = SimpleNamespace(env=lambda: pytest.fail("the warm-up ran manage.py"))

    note = _warm_up_for(stage_get("02"), untouchable)()

    assert "NOT warmed" in note and f"{WARM_UP_ENV}=0" in note
