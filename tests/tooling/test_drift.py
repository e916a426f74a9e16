"""The drift check: each stage's diff from the one before stays on its lesson, and what
no lesson changes lives once in workshop/ instead of in a copy per stage."""

import pytest

from workshop.exercise.drift import (
    drift_declared_unchanged,
    drift_undeclared,
    identical_in_every_stage,
)
from workshop.exercise.lesson import lesson_load, stage_previous
from workshop.stages import stage_list

WITH_PREVIOUS = [s for s in stage_list() if stage_previous(s)]


@pytest.mark.parametrize("stage", WITH_PREVIOUS, ids=lambda s: s.name)
def test_a_stage_changes_only_the_files_its_lesson_declares(stage):
    declared = lesson_load(stage).changes

    assert drift_undeclared(stage_previous(stage).path, stage.path, declared) == []


@pytest.mark.parametrize("stage", WITH_PREVIOUS, ids=lambda s: s.name)
def test_a_lesson_declares_no_file_it_leaves_alone(stage):
    declared = lesson_load(stage).changes

    assert drift_declared_unchanged(stage_previous(stage).path, stage.path, declared) == []


def test_no_lesson_free_file_is_copied_into_every_stage():
    """If this fails, move the file into workshop/ and import it from there, or, if a
    later lesson will change it, say so in IDENTICAL_COPIES_ALLOWED (drift.py)."""
    assert identical_in_every_stage([s.path for s in stage_list()]) == []


@pytest.fixture
def two_stages(tmp_path):
    old, new = tmp_path / "01_old", tmp_path / "02_new"
    for folder in (old, new):
        (folder / "shop").mkdir(parents=True)
        (folder / "shop" / "settings.py").write_text("DEBUG = False\n")
        (folder / "README.md").write_text(f"# {folder.name}\n")
        (folder / "var").mkdir()
        (folder / "var" / "db.sqlite3").write_text(folder.name)
        (folder / "helpers.py").write_text("def helper(): ...\n")
    return old, new


def test_the_check_catches_a_change_the_lesson_does_not_declare(two_stages):
    old, new = two_stages
    (new / "shop" / "settings.py").write_text("DEBUG = True\n")
    (new / "pagefiles").mkdir()
    (new / "pagefiles" / "files.py").write_text("")

    assert drift_undeclared(old, new, ["pagefiles/*"]) == ["shop/settings.py (changed)"]
    assert drift_declared_unchanged(old, new, ["pagefiles/*", "orders/*"]) == ["orders/*"]


def test_the_check_ignores_generated_files_and_the_stage_readme(two_stages):
    assert drift_undeclared(*two_stages, []) == []


def test_a_lesson_free_file_in_every_stage_is_caught(two_stages):
    assert identical_in_every_stage(list(two_stages)) == ["helpers.py"]
