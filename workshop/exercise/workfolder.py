"""The learner's work folder, work/NN_name/: a copy of the stage before, which the
learner turns into this stage, and their progress (.workshop-progress.json) in it."""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from workshop import ROOT
from workshop.stages import Stage, work_root

from .lesson import ExerciseError, lesson_load, stage_previous
from .scaffold import scaffold_write
from .stagediff import PROGRESS_FILE


@dataclass
class Progress:
    stage: str
    hints_shown: dict[str, int] = field(default_factory=dict)  # step number → hints seen
    steps_passed: list[int] = field(default_factory=list)  # at the last check
    checked: bool = False  # whether `workshop check` ran at all


def work_path(stage: Stage) -> Path:
    return work_root() / stage.name


def exercise_start(stage: Stage, *, path: Path | None = None) -> Path:
    """The stage before ``stage``, with the exercise's scaffold, in the work folder; never
    over the learner's work."""
    previous = stage_previous(stage)
    if previous is None:
        raise ExerciseError(
            f"stage {stage.number} is where the workshop starts: there is nothing to build "
            f"it from. Read {stage.path.relative_to(ROOT)}/README.md and run "
            f"`workshop test {stage.number}`."
        )
    target = path or work_path(stage)
    if target.exists():
        raise ExerciseError(f"{target} exists already, with your work in it; delete it to restart.")
    scaffold_write(lesson_load(stage), target)
    progress_save(target, Progress(stage=stage.name))
    return target


def progress_load(folder: Path) -> Progress | None:
    try:
        return Progress(**json.loads((folder / PROGRESS_FILE).read_text()))
    except FileNotFoundError:
        return None


def progress_save(folder: Path, progress: Progress) -> None:
    (folder / PROGRESS_FILE).write_text(json.dumps(asdict(progress), indent=2) + "\n")


def progress_of(stage: Stage, folder: Path) -> Progress:
    """The progress kept in ``folder``; a folder the learner made by hand starts fresh."""
    if not folder.is_dir():
        raise ExerciseError(
            f"no work folder at {folder}: `workshop start {stage.number}` makes one."
        )
    return progress_load(folder) or Progress(stage=stage.name)


def progress_checked(progress: Progress, results) -> Progress:
    """The progress after a check: a step that passed now counts as passed, one that
    failed as not; a step whose tests skipped (no nginx, no memcached here) showed
    nothing, so it keeps what an earlier check found, as does a step left out (check
    --step N)."""
    passed = {r.step.number for r in results if r.passed}
    failed = {r.step.number for r in results if not r.passed and not r.skip_reason}
    progress.steps_passed = sorted(passed | (set(progress.steps_passed) - failed))
    progress.checked = True
    return progress
