"""``workshop start / hint / check / diff``: the exercise of each stage, as a learner does
it: start from a copy of the stage before, ask for hints, check the work, compare."""

import argparse
import sys
import textwrap
from pathlib import Path

from workshop import ROOT
from workshop.exercise.check import lesson_check
from workshop.exercise.hints import hint_take
from workshop.exercise.lesson import ExerciseError, lesson_load, stage_previous
from workshop.exercise.stagediff import diff_lines, files_changed
from workshop.exercise.workfolder import exercise_start, progress_of, progress_save, work_path
from workshop.stages import stage_get, stage_list

DESCRIPTION_FILES = ("README.md", "lesson.toml")


def register(subparsers):
    start = subparsers.add_parser(
        "start", help="start a stage's exercise: a copy of the stage before, to work in"
    )
    start.add_argument("stage", help="stage number, e.g. 02")
    start.set_defaults(handler=start_command)

    hint = subparsers.add_parser("hint", help="show the next hint of a stage's exercise")
    hint.add_argument("stage")
    hint.add_argument("--path", type=Path, help="your work folder (default work/NN_name)")
    hint.set_defaults(handler=hint_command)

    check = subparsers.add_parser(
        "check",
        help="run a stage's lesson tests on your work, step by step",
        description="Extra arguments after -- go to pytest, e.g. workshop check 02 -- -x",
    )
    check.add_argument("stage")
    check.add_argument("--path", type=Path, help="your work folder (default work/NN_name)")
    check.add_argument("pytest_args", nargs="*", help=argparse.SUPPRESS)
    check.set_defaults(handler=check_command)

    diff = subparsers.add_parser(
        "diff",
        help="the lesson's diff: what changed from one stage (or folder) to another",
        description="workshop diff 01 02 shows stage 02's lesson; "
        "workshop diff 02 work/02_static_cache compares your work with the stage.",
    )
    diff.add_argument("old", help="a stage number or a folder")
    diff.add_argument("new", help="a stage number or a folder")
    diff.add_argument("--stat", action="store_true", help="list the changed files only")
    diff.add_argument("--all", action="store_true", help="include README.md and lesson.toml")
    diff.set_defaults(handler=diff_command)


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def start_command(args):
    stage = stage_get(args.stage)
    lesson = lesson_load(stage)
    folder = exercise_start(stage)
    readme = _shown(stage.path / "README.md")
    print(f"Stage {stage.number}: {lesson.title}")
    print(f"Your work folder is {_shown(folder)}, a copy of the stage before.")
    print(f"1. Read the lesson: {readme}, section 'Exercise'.")
    print(f"2. Change {_shown(folder)} until `workshop check {stage.number}` passes.")
    print(f"   Stuck? `workshop hint {stage.number}` shows one hint at a time.")


def hint_command(args):
    stage = stage_get(args.stage)
    lesson = lesson_load(stage)
    folder = args.path or work_path(stage)
    progress = progress_of(stage, folder)
    found = hint_take(lesson, progress)
    if found is None:
        previous = stage_previous(stage)
        print(f"No more hints for stage {stage.number}: all {lesson.hint_count} are shown.")
        print(f"The whole answer: workshop diff {previous.number} {stage.number}")
        return 0
    step, number = found
    progress_save(folder, progress)
    print(f"Step {step.number} of {len(lesson.steps)}: {step.title}")
    text = f"Hint {number} of {len(step.hints)}: {step.hints[number - 1]}"
    print(textwrap.fill(text, width=88, subsequent_indent="  "))
    return 0


def check_command(args):
    stage = stage_get(args.stage)
    lesson = lesson_load(stage)
    folder = args.path or work_path(stage)
    progress = progress_of(stage, folder)
    print(f"Checking {_shown(folder)} with stage {stage.number}'s lesson tests")
    results = lesson_check(lesson, folder, pytest_args=["-q", "--tb=short", *args.pytest_args])
    progress.steps_passed = [r.step.number for r in results if r.passed]
    progress.checked = True
    progress_save(folder, progress)
    print(f"\n{'step':<58}{'result':>14}")
    for r in results:
        print(f"{r.step.number}. {r.step.title:<55}{r.outcome:>14}")
    failing = [r.step for r in results if not r.passed]
    if not failing:
        print(f"\nEvery step passes: stage {stage.number} is done.")
        print(f"Compare with the stage's own: workshop diff {stage.number} {_shown(folder)}")
        return 0
    print(
        f"\n{len(results) - len(failing)} of {len(results)} steps pass. Next: step "
        f"{failing[0].number}, {failing[0].title} (workshop hint {stage.number})"
    )
    return 1


def diff_command(args):
    old, new = _folder(args.old), _folder(args.new)
    changes = {
        name: how
        for name, how in files_changed(old, new).items()
        if args.all or name not in DESCRIPTION_FILES
    }
    if args.stat:
        for name, how in changes.items():
            print(f"{how:<8} {name}")
        return 0
    sys.stdout.writelines(diff_lines(old, new, changes))
    return 0


def _folder(name: str) -> Path:
    """A stage's folder from its number or name, or a folder as given."""
    for stage in stage_list():
        if name.zfill(2) == stage.number or name == stage.name:
            return stage.path
    if Path(name).is_dir():
        return Path(name)
    choices = ", ".join(s.number for s in stage_list())
    raise ExerciseError(f"{name!r} is neither a stage ({choices}) nor a folder")
