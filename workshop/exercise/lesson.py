"""A stage's lesson manifest, stages/NN_name/lesson.toml: its title, the files the lesson
changes, and the exercise steps, each with its tests and its hints in order."""

from dataclasses import dataclass, field
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

from workshop.errors import WorkshopError
from workshop.stages import Stage, stage_list

MANIFEST = "lesson.toml"


class ExerciseError(WorkshopError):
    """Something the learner can put right; the message is one clear line."""


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    tests: tuple[str, ...]
    hints: tuple[str, ...]


@dataclass(frozen=True)
class Lesson:
    stage: Stage
    title: str
    changes: tuple[str, ...]  # globs, relative to the stage folder
    steps: tuple[Step, ...]
    own_tests: tuple[str, ...]  # a stage without steps (the first) names its tests alone
    # [exercise]: the brief, the given and skeleton files, what the learner writes by
    # hand, and pass_before (tests that pass on the stage before too, with the reason).
    exercise: dict = field(default_factory=dict)

    @property
    def tests(self) -> tuple[str, ...]:
        """The lesson's test files, relative to the stage folder."""
        from_steps = [test for step in self.steps for test in step.tests]
        return tuple(dict.fromkeys([*self.own_tests, *from_steps]))

    @property
    def hint_count(self) -> int:
        return sum(len(step.hints) for step in self.steps)

    def test_paths(self, tests=None) -> list[Path]:
        """Always the stage's own test files: a learner's copy is what they test."""
        return [self.stage.path / test for test in (tests or self.tests)]


def lesson_load(stage: Stage) -> Lesson:
    path = stage.path / MANIFEST
    if not path.exists():
        raise ExerciseError(f"{path} is missing: every stage declares its lesson there.")
    with path.open("rb") as file:
        data = tomllib.load(file)
    steps = tuple(
        Step(n, s["title"], tuple(s.get("tests", ())), tuple(s.get("hints", ())))
        for n, s in enumerate(data.get("steps", []), start=1)
    )
    return Lesson(
        stage=stage,
        title=data["title"],
        changes=tuple(data.get("changes", ())),
        steps=steps,
        own_tests=tuple(data.get("tests", ())),
        exercise=data.get("exercise", {}),
    )


def stage_previous(stage: Stage) -> Stage | None:
    """The stage this one is built from: its exercise starts there."""
    stages = stage_list()
    index = [s.name for s in stages].index(stage.name)
    return stages[index - 1] if index else None
