"""The scaffold of an exercise: what `workshop start` puts in the work folder, derived
from the stage itself, so the answer exists once (in the stage) and the scaffold cannot
drift from it.

lesson.toml's [exercise] names the files: ``given`` ones are copied whole (plumbing, to
read and run), ``remove`` ones (of the stage before) are left out, and ``skeleton`` ones
are copied with each marked region of the stage's own exercise replaced by a TODO that
names its step. In the stage's file, a region of stage 02's exercise reads:

    def product_pages(product):
        \"\"\"Its own page, …\"\"\"
        # exercise 02: step 3: the pages that show a product
        return {reverse("home"), …}
        # exercise 02: end, stand-in: return set()

and the scaffold gets ``# TODO step 3: the pages that show a product`` and the stand-in
(``return set()``), which keeps the file valid until the learner writes the region.
Each marker names its stage, so a region that later stages carry (stage 05's copy of
stage 04's views) stays code there, not a TODO of the wrong exercise. Everything else of
the lesson stays as in the stage before; the brief becomes README.md.

    python -m workshop.exercise.scaffold 02     the lines a learner writes, per step

Those lines are the answer's non-blank lines, comments included: in the skeletons' marked
regions, and those added in the files [exercise] write names for a step. Each brief states
them (lines_stated). A plain diff of a fresh scaffold against the stage counts more: its
blank lines, and the TODO and stand-in lines that the answer replaces.
"""

import difflib
import re
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

from workshop.stages import stage_get

from .drift import STAGE_DESCRIPTION
from .lesson import ExerciseError, Lesson, lesson_load, stage_previous
from .stagediff import GENERATED, files_changed

BEGIN = re.compile(
    r"(?P<indent>[ \t]*)# exercise (?P<stage>\d\d): step (?P<step>\d+): (?P<todo>.+)"
)
END = re.compile(r"[ \t]*# exercise (?P<stage>\d\d): end(?:, stand-in: (?P<stand_in>.+))?")
# Any marker at all, well formed or not: what the tooling test holds to the two above.
MARKER = re.compile(r"[ \t]*# exercise\b.*")


def _marker(pattern: re.Pattern, line: str, stage: str):
    """The marker of ``stage``'s exercise on ``line``; None for any other line."""
    match = pattern.fullmatch(line.rstrip("\n"))
    return match if match and match["stage"] == stage else None


def skeleton_text(text: str, *, stage: str, source: str = "file", keep=()) -> str:
    """``text`` with each marked region of ``stage``'s exercise replaced by its TODO and
    stand-in; the regions of the steps in ``keep`` stay as written (without their
    markers): the work half done. Regions of other stages stay as they are."""
    out, region = [], None
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        begin, end = _marker(BEGIN, line, stage), _marker(END, line, stage)
        if begin:
            if region:
                raise ExerciseError(f"{source}:{number}: a region begins inside another")
            region = begin
            if int(begin["step"]) not in keep:
                out.append(f"{begin['indent']}# TODO step {begin['step']}: {begin['todo']}\n")
        elif end:
            if not region:
                raise ExerciseError(f"{source}:{number}: '# exercise {stage}: end' without a begin")
            if end["stand_in"] and int(region["step"]) not in keep:
                out.append(f"{region['indent']}{end['stand_in']}\n")
            region = None
        elif region is None or int(region["step"]) in keep:
            out.append(line)
    if region:
        raise ExerciseError(f"{source}: a region is never closed by '# exercise {stage}: end'")
    return "".join(out)


def core_lines(text: str, *, stage: str) -> Counter:
    """The lines a learner writes in a skeleton file, per step of ``stage``'s exercise
    (blank lines not counted)."""
    counts, step = Counter(), None
    for line in text.splitlines():
        if begin := _marker(BEGIN, line, stage):
            step = int(begin["step"])
        elif _marker(END, line, stage):
            step = None
        elif step is not None and line.strip():
            counts[step] += 1
    return counts


def scaffold_write(lesson: Lesson, target: Path) -> None:
    """The stage before, with the given files, the skeletons and the brief on top."""
    stage, previous = lesson.stage, stage_previous(lesson.stage)
    shutil.copytree(previous.path, target, ignore=shutil.ignore_patterns(*GENERATED))
    # The stage before's README, lesson.toml and brief describe a finished stage, not this
    # work (the brief below becomes the README).
    for name in ("lesson.toml", "EXERCISE.md"):
        (target / name).unlink(missing_ok=True)
    exercise = lesson.exercise
    # What the stage before has and this stage has not (stage 02's session cart): gone
    # from the scaffold too, since the given files no longer use it.
    for name in exercise.get("remove", ()):
        (target / name).unlink()
    for name in exercise.get("given", ()):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(stage.path / name, target / name)
    for name in exercise.get("skeleton", ()):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        text = (stage.path / name).read_text()
        (target / name).write_text(skeleton_text(text, stage=stage.number, source=name))
    # The stage before's tests that this lesson changes or removes: stage 04 reverses a
    # test of stage 03 (a visitor with a session now gets a page from the cache). The
    # folder holds this stage's version, so `workshop test NN --path` never fails on a
    # test the lesson undoes on purpose; it fails, as it should, until the work is done.
    for name, how in replaced_tests(lesson).items():
        if how == "removed":
            (target / name).unlink()
        else:
            shutil.copyfile(stage.path / name, target / name)
    if "brief" in exercise:
        shutil.copyfile(stage.path / exercise["brief"], target / "README.md")


def replaced_tests(lesson: Lesson) -> dict[str, str]:
    """{test file of the stage before: "changed" | "removed"} by this stage's lesson."""
    changes = files_changed(stage_previous(lesson.stage).path, lesson.stage.path)
    return {
        name: how
        for name, how in changes.items()
        if name.startswith("tests/") and how in ("changed", "removed")
    }


def lines_per_step(lesson: Lesson, scaffold: Path) -> Counter:
    """What a learner writes per step: the skeletons' regions, plus the lines that differ
    from the scaffold in the files the lesson lists under [exercise] write."""
    counts = Counter()
    for name in lesson.exercise.get("skeleton", ()):
        counts.update(core_lines((lesson.stage.path / name).read_text(), stage=lesson.stage.number))
    for step, names in lesson.exercise.get("write", {}).items():
        for name in names:
            counts[int(step)] += _lines_differing(scaffold / name, lesson.stage.path / name)
    return counts


def _lines_differing(old: Path, new: Path) -> int:
    a = old.read_text().splitlines() if old.exists() else []
    diff = difflib.unified_diff(a, new.read_text().splitlines(), lineterm="", n=0)
    return sum(
        1 for line in diff if line[:1] == "+" and not line.startswith("+++") and line[1:].strip()
    )


def lines_stated(lesson: Lesson, counts: Counter) -> str:
    """How the brief states the lines a learner writes (tests/tooling/test_exercise.py
    holds each brief to it): the count of lines_per_step, no other."""
    per_step = [str(counts[step.number]) for step in lesson.steps]
    listed = ", ".join(per_step[:-1]) + f" and {per_step[-1]}"
    return f"You write {sum(counts.values())} lines: {listed} for steps 1 to {len(per_step)}"


def scaffold_report(lesson: Lesson, scaffold: Path) -> list[str]:
    counts = lines_per_step(lesson, scaffold)
    lines = [f"step {s.number}: {counts[s.number]:>3} lines  {s.title}" for s in lesson.steps]
    return [*lines, f"total:  {sum(counts.values()):>3} lines"]


def changed_outside_the_exercise(lesson: Lesson, scaffold: Path) -> list[str]:
    """Files that differ between the scaffold and the stage but that the learner is told
    to write nowhere: neither a skeleton, nor under [exercise] write, nor a lesson test."""
    exercise = lesson.exercise
    written = {name for names in exercise.get("write", {}).values() for name in names}
    allowed = {*exercise.get("skeleton", ()), *written, *STAGE_DESCRIPTION}
    changed = files_changed(scaffold, lesson.stage.path)
    # The lesson tests run from the stage itself (workshop check), never from the copy.
    return [name for name in changed if name not in allowed and not name.startswith("tests/")]


if __name__ == "__main__":
    lesson = lesson_load(stage_get(sys.argv[1]))
    with tempfile.TemporaryDirectory() as tmp:
        scaffold_write(lesson, Path(tmp) / "work")
        print("\n".join(scaffold_report(lesson, Path(tmp) / "work")))
