"""A stage README is the worked lesson: it says at its top that it shows the answer, and
holds no hints (only `workshop hint` shows them, one at a time). The exercise's brief,
which becomes the work folder's README, gives neither hints nor links into the answer."""

import re

import pytest

from workshop.exercise.lesson import lesson_load
from workshop.stages import stage_list

WITH_EXERCISE = [s for s in stage_list() if lesson_load(s).steps]


@pytest.mark.parametrize("stage", WITH_EXERCISE, ids=lambda s: s.name)
def test_the_readme_says_at_its_top_that_it_shows_the_answer(stage):
    top = (stage.path / "README.md").read_text()[:600]

    assert "shows the answer" in top


@pytest.mark.parametrize("stage", WITH_EXERCISE, ids=lambda s: s.name)
def test_no_hint_is_written_in_the_readme_or_the_brief(stage):
    lesson = lesson_load(stage)
    brief = stage.path / lesson.exercise["brief"]

    for path in (stage.path / "README.md", brief):
        text = " ".join(path.read_text().split())
        assert "<details>" not in text, f"{path.name}: hints only from `workshop hint`"
        for step in lesson.steps:
            for hint in step.hints:
                assert " ".join(hint.split()[:8]) not in text, f"{path.name} has a hint"


@pytest.mark.parametrize("stage", WITH_EXERCISE, ids=lambda s: s.name)
def test_the_brief_links_to_nothing_of_the_answer(stage):
    lesson = lesson_load(stage)
    brief = (stage.path / lesson.exercise["brief"]).read_text()

    assert re.findall(r"\]\((?!https?://)[^)]*\)", brief) == [], "the brief links a file"
    assert "workshop diff 01" not in brief and "diff 01 02" not in brief


@pytest.mark.parametrize("stage", WITH_EXERCISE, ids=lambda s: s.name)
def test_the_instructor_notes_count_the_lines_a_learner_writes(stage, tmp_path):
    """The table follows `python -m workshop.exercise.scaffold NN`."""
    from workshop.exercise.scaffold import lines_per_step, scaffold_write

    lesson = lesson_load(stage)
    scaffold_write(lesson, tmp_path / "work")
    counts = lines_per_step(lesson, tmp_path / "work")
    readme = (stage.path / "README.md").read_text()

    for step in lesson.steps:
        assert re.search(rf"^\| {step.number}\. .* \| {counts[step.number]} \|$", readme, re.M)
    assert f"| total | {sum(counts.values())} |" in readme
