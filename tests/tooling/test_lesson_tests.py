"""Each stage's lesson tests test its lesson: every step fails on the stage before and
passes on the stage itself. (rustlings refuses an exercise that is solved already.)"""

import pytest

from workshop.exercise.check import lesson_check
from workshop.exercise.lesson import lesson_load, stage_previous
from workshop.stages import stage_list
from workshop.testing.services import require

WITH_EXERCISE = [s for s in stage_list() if stage_previous(s)]


@pytest.mark.parametrize("stage", WITH_EXERCISE, ids=lambda s: s.name)
def test_every_step_fails_on_the_stage_before(stage):
    lesson = lesson_load(stage)

    results = lesson_check(lesson, stage_previous(stage).path, pytest_args=["-q", "--tb=no"])

    _require_no_skipped_step(results)
    assert [r.step.title for r in results if r.passed] == []
    assert all(r.suite.failed for r in results), "a step that fails should name its tests"


@pytest.mark.parametrize("stage", WITH_EXERCISE, ids=lambda s: s.name)
def test_every_step_passes_on_the_stage_itself(stage):
    lesson = lesson_load(stage)

    results = lesson_check(lesson, stage.path, pytest_args=["-q", "--tb=short"])

    _require_no_skipped_step(results)
    assert [r.step.title for r in results if not r.passed] == []


def _require_no_skipped_step(results):
    skipped = [r.step.title for r in results if r.outcome == "skipped"]
    if skipped:
        require(f"steps skipped for want of a service (nginx?): {', '.join(skipped)}")


@pytest.mark.parametrize("stage", stage_list(), ids=lambda s: s.name)
def test_every_lesson_names_its_tests_and_its_steps_give_hints(stage):
    lesson = lesson_load(stage)

    assert lesson.tests, "a lesson without tests cannot be checked"
    for path in lesson.test_paths():
        assert path.is_file(), f"{path} is named in lesson.toml but missing"
    for step in lesson.steps:
        assert step.tests and step.hints, f"step {step.number} needs tests and hints"
