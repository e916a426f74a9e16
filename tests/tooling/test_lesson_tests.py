"""Each stage's lesson tests test its lesson: every one of them, test by test, fails on
the stage before and passes on the stage itself (rustlings refuses an exercise that is
solved already). A test that must pass on both is listed in lesson.toml's
[exercise] pass_before, with its reason."""

import pytest

from workshop.exercise.check import step_run
from workshop.exercise.lesson import Step, lesson_load, stage_previous
from workshop.stages import stage_list
from workshop.testing.services import require

WITH_EXERCISE = [s for s in stage_list() if stage_previous(s)]


def every_lesson_test_run(lesson, code):
    """Every lesson test of ``lesson`` on the code in ``code``, in one pytest process."""
    every = Step(0, "every lesson test", lesson.tests, ())
    result = step_run(lesson, code, every, lesson.test_paths(), ["-q", "--tb=line"])
    skipped = [case for case in result.cases if case.outcome == "skipped"]
    if skipped:
        require(f"{len(skipped)} lesson tests skipped: {skipped[0].message}")
    assert result.cases, f"no lesson test ran: {result.output[-2000:]}"
    return result


@pytest.mark.parametrize("stage", WITH_EXERCISE, ids=lambda s: s.name)
def test_every_lesson_test_fails_on_the_stage_before(stage):
    lesson = lesson_load(stage)
    allowed = lesson.exercise.get("pass_before", {})

    result = every_lesson_test_run(lesson, stage_previous(stage).path)

    passing = {case.test for case in result.cases if case.outcome == "passed"}
    assert sorted(passing - set(allowed)) == [], "these pass before the lesson is done"
    assert sorted(set(allowed) - passing) == [], "pass_before lists tests that fail before"


@pytest.mark.parametrize("stage", WITH_EXERCISE, ids=lambda s: s.name)
def test_every_lesson_test_passes_on_the_stage_itself(stage):
    lesson = lesson_load(stage)

    result = every_lesson_test_run(lesson, stage.path)

    failing = [f"{case.test}: {case.message}" for case in result.cases if case.outcome != "passed"]
    assert failing == []


@pytest.mark.parametrize("stage", stage_list(), ids=lambda s: s.name)
def test_every_lesson_names_its_tests_and_its_steps_give_hints(stage):
    lesson = lesson_load(stage)

    assert lesson.tests, "a lesson without tests cannot be checked"
    for path in lesson.test_paths():
        assert path.is_file(), f"{path} is named in lesson.toml but missing"
    for step in lesson.steps:
        assert step.tests and step.hints, f"step {step.number} needs tests and hints"
