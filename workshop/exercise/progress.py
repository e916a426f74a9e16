"""The learner's progress through the exercises, for `workshop status`."""

from workshop.stages import Stage, stage_list

from .check import lesson_steps
from .lesson import lesson_load, stage_previous
from .workfolder import progress_load, work_path


def progress_line(stage: Stage) -> str:
    lesson = lesson_load(stage)
    head = f"{stage.number} {lesson.title}"
    if stage_previous(stage) is None:
        return f"{head}: the starting point, no exercise"
    folder = work_path(stage)
    progress = progress_load(folder) if folder.is_dir() else None
    if progress is None:
        return f"{head}: not started (workshop start {stage.number})"
    steps = len(lesson_steps(lesson))
    hints = sum(progress.hints_shown.values())
    checked = (
        f"{len(progress.steps_passed)} of {steps} steps pass"
        if progress.checked
        else f"not checked yet (workshop check {stage.number})"
    )
    return f"{head}: {checked}, {hints} of {lesson.hint_count} hints seen, in {folder}"


def progress_print(number: str | None = None) -> None:
    stages = [s for s in stage_list() if number is None or number.zfill(2) == s.number]
    if not stages:
        return
    print("\nExercises:")
    for stage in stages:
        print(f"  {progress_line(stage)}")
