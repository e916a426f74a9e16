"""A stage README shows the same hints as its lesson.toml, word for word."""

import pytest

from workshop.exercise.lesson import lesson_load
from workshop.exercise.readme import hints_markdown, readme_hints
from workshop.stages import stage_list

WITH_HINTS = [s for s in stage_list() if lesson_load(s).steps]


@pytest.mark.parametrize("stage", WITH_HINTS, ids=lambda s: s.name)
def test_the_readme_shows_the_hints_of_the_lesson(stage):
    readme = (stage.path / "README.md").read_text()

    assert readme_hints(readme) == hints_markdown(lesson_load(stage)), (
        f"run: python -m workshop.exercise.readme {stage.number}"
    )
