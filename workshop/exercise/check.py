"""``workshop check``: a stage's lesson tests run on the learner's code, step by step, each
step in its own pytest process (stage_suite_run), so each step passes or fails alone."""

from dataclasses import dataclass
from pathlib import Path

from workshop.testrun import SuiteResult, stage_suite_run

from .lesson import Lesson, Step


@dataclass(frozen=True)
class StepResult:
    step: Step
    suite: SuiteResult

    @property
    def passed(self) -> bool:
        # A step whose tests all skipped (no nginx here, say) has shown nothing yet.
        return self.suite.ok and self.suite.passed > 0

    @property
    def outcome(self) -> str:
        if self.passed:
            return "passes"
        if self.suite.failed:
            return f"{self.suite.failed} failing"
        return "skipped" if self.suite.skipped else "fails"


def lesson_steps(lesson: Lesson) -> tuple[Step, ...]:
    """The exercise's steps; a stage without steps is one step: all its lesson tests."""
    return lesson.steps or (Step(1, lesson.title, lesson.tests, ()),)


def lesson_check(lesson: Lesson, code: Path, pytest_args=()) -> list[StepResult]:
    return [
        StepResult(
            step,
            stage_suite_run(
                lesson.stage,
                path=code,
                tests=lesson.test_paths(step.tests),
                pytest_args=pytest_args,
            ),
        )
        for step in lesson_steps(lesson)
    ]
