"""Hints, one at a time: the next one not yet shown, in the first step not yet passed."""

from .lesson import Lesson, Step
from .workfolder import Progress


def hint_next(lesson: Lesson, progress: Progress) -> tuple[Step, int] | None:
    """The step and the number (1-based, within the step) of the next hint, or None."""
    for step in lesson.steps:
        if step.number in progress.steps_passed:
            continue
        shown = progress.hints_shown.get(str(step.number), 0)
        if shown < len(step.hints):
            return step, shown + 1
    return None


def hint_take(lesson: Lesson, progress: Progress) -> tuple[Step, int] | None:
    """Like hint_next, and remember in ``progress`` that it has been shown."""
    found = hint_next(lesson, progress)
    if found:
        step, number = found
        progress.hints_shown[str(step.number)] = number
    return found
