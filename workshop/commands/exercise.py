"""``workshop start / hint / check / diff``: the exercise of each stage, as a learner does
it: start from the stage before and a scaffold, ask for hints, check the work, compare."""

import sys
import textwrap
from pathlib import Path

from workshop import ROOT
from workshop.exercise.check import lesson_check
from workshop.exercise.checkreport import check_report
from workshop.exercise.hints import hint_take
from workshop.exercise.lesson import ExerciseError, lesson_load, stage_previous
from workshop.exercise.stagediff import diff_lines, files_changed
from workshop.exercise.unused import imports_unused
from workshop.exercise.workfolder import (
    PROGRESS_FILE,
    exercise_start,
    progress_checked,
    progress_of,
    progress_save,
    work_path,
)
from workshop.stages import STAGES_DIR, stage_get, stage_list, stage_resolve

DESCRIPTION_FILES = ("README.md", "lesson.toml", "EXERCISE.md")


def register(subparsers):
    start = subparsers.add_parser(
        "start", help="start a stage's exercise: the stage before, with the exercise's scaffold"
    )
    start.add_argument("stage", help="stage number, e.g. 02")
    start.set_defaults(handler=start_command)

    hint = subparsers.add_parser("hint", help="show the next hint of a stage's exercise")
    hint.add_argument("stage")
    hint.add_argument("--path", help="your work folder, or its name (default work/NN_name)")
    hint.set_defaults(handler=hint_command)

    check = subparsers.add_parser(
        "check",
        help="run a stage's lesson tests on your work, step by step",
        description="Arguments after -- go to pytest: workshop check 02 --step 1 -- -x",
    )
    check.add_argument("stage")
    check.add_argument("--path", help="your work folder, or its name (default work/NN_name)")
    check.add_argument("--step", type=int, action="append", help="only this step (repeatable)")
    check.add_argument("-v", "--verbose", action="store_true", help="pytest's whole output")
    check.set_defaults(handler=check_command, pytest_args=[])

    diff = subparsers.add_parser(
        "diff",
        help="the lesson's diff: what changed from one stage (or folder) to another",
        description="workshop diff 01 02 shows stage 02's lesson (its answer, once you have "
        "started it: --yes); workshop diff 02 work/02_static_cache compares your work.",
    )
    diff.add_argument("old", help="a stage number or a folder")
    diff.add_argument("new", help="a stage number or a folder")
    diff.add_argument("--stat", action="store_true", help="list the changed files only")
    diff.add_argument("--all", action="store_true", help="include README.md and lesson.toml")
    diff.add_argument("--yes", action="store_true", help="show an exercise's answer, unasked")
    diff.set_defaults(handler=diff_command)


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def start_command(args):
    stage = stage_get(args.stage)
    lesson = lesson_load(stage)
    folder = exercise_start(stage)
    print(f"Stage {stage.number}: {lesson.title}")
    print(f"Your work folder is {_shown(folder)}: stage {stage_previous(stage).number}, with")
    print("the exercise's scaffold (look for the TODOs).")
    print(f"1. Read the brief: {_shown(folder / 'README.md')}")
    print(f"2. Change {_shown(folder)} until `workshop check {stage.number}` passes.")
    print(f"   Stuck? `workshop hint {stage.number}` shows one hint at a time.")


def hint_command(args):
    stage = stage_get(args.stage)
    lesson = lesson_load(stage)
    folder = stage_resolve(stage.number, args.path).path if args.path else work_path(stage)
    progress = progress_of(stage, folder)
    found = hint_take(lesson, progress)
    if found is None:
        seen = sum(progress.hints_shown.values())
        if len(progress.steps_passed) == len(lesson.steps):
            print(f"Every step passes: no hint needed ({seen} of {lesson.hint_count} seen).")
        else:
            print(f"No more hints for the steps that fail: {seen} of {lesson.hint_count} seen.")
        previous = stage_previous(stage)
        print(f"The whole answer: workshop diff {previous.number} {stage.number} --yes")
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
    folder = stage_resolve(stage.number, args.path).path if args.path else work_path(stage)
    progress = progress_of(stage, folder)
    print(f"Checking {_shown(folder)} with stage {stage.number}'s lesson tests", flush=True)
    pytest_args = ["-q", "--tb=short", *args.pytest_args]
    results = lesson_check(
        lesson, folder, pytest_args=pytest_args, steps=args.step, echo=args.verbose
    )
    progress_checked(progress, results)
    if not folder.is_relative_to(STAGES_DIR):  # a stage's own folder keeps no progress
        progress_save(folder, progress)
    code = check_report(stage, lesson, results, progress, verbose=args.verbose)
    unused = imports_unused(lesson, folder) if code == 0 and not args.step else []
    if unused:
        print("\nThe scaffold imported these for a step, and your work never uses them:")
        print(textwrap.indent("\n".join(unused), "  "))
        print("The answer does: check that no behaviour is missing.")
    return code


def diff_command(args):
    old, new = _folder(args.old), _folder(args.new)
    started = _started_exercise(new)
    if started and not (args.yes or args.stat):
        if not sys.stdin.isatty():
            raise ExerciseError(
                f"this is the answer to the exercise in {_shown(started)}: add --yes to see it"
            )
        answer = input(f"This shows the answer to your exercise in {_shown(started)}. Sure? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            return 1
    stages = {stage.path for stage in stage_list()}
    # A stage against a learner's copy: the lesson tests run from the stage, not the copy.
    copy = (old in stages) != (new in stages)
    changes = {
        name: how
        for name, how in files_changed(old, new).items()
        if (args.all or name not in DESCRIPTION_FILES) and not (copy and name.startswith("tests/"))
    }
    if args.stat:
        for name, how in changes.items():
            print(f"{how:<8} {name}")
        return 0
    sys.stdout.writelines(diff_lines(old, new, changes))
    return 0


def _started_exercise(folder: Path) -> Path | None:
    """The learner's work folder, when ``folder`` is a stage whose exercise is started."""
    for stage in stage_list():
        if stage.path == folder and (work_path(stage) / PROGRESS_FILE).exists():
            return work_path(stage)
    return None


def _folder(name: str) -> Path:
    """A stage's folder from its number or name, or a folder as given."""
    for stage in stage_list():
        if name.zfill(2) == stage.number or name == stage.name:
            return stage.path
    if Path(name).is_dir():
        return Path(name)
    choices = ", ".join(s.number for s in stage_list())
    raise ExerciseError(f"{name!r} is neither a stage ({choices}) nor a folder")
