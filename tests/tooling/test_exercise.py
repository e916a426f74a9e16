"""The exercise workflow as a learner meets it: start from a copy of the stage before,
take hints one at a time, check the work step by step, compare stages."""

import shutil

import pytest

from workshop.cli import main
from workshop.exercise.check import StepResult
from workshop.exercise.lesson import Step, lesson_load
from workshop.exercise.progress import progress_line
from workshop.exercise.stagediff import files_changed
from workshop.exercise.workfolder import PROGRESS_FILE, progress_load
from workshop.stages import stage_get
from workshop.testrun import SuiteResult

STAGE = "02"


@pytest.fixture
def work(tmp_path, monkeypatch):
    """The learner's work folders, somewhere of their own."""
    monkeypatch.setenv("WORKSHOP_WORK_DIR", str(tmp_path))
    return tmp_path / stage_get(STAGE).name


def workshop(capsys, *args) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def test_starting_an_exercise_copies_the_stage_before(work, capsys):
    code, out = workshop(capsys, "start", STAGE)

    assert code == 0 and str(work) in out
    assert files_changed(stage_get("01").path, work) == {}
    assert not (work / "var").exists()
    assert progress_load(work).hints_shown == {}


def test_starting_again_keeps_the_learners_work(work, capsys):
    workshop(capsys, "start", STAGE)
    (work / "shop" / "settings.py").write_text("# my work\n")

    code = main(["start", STAGE])

    assert code == 1
    assert "exists already" in capsys.readouterr().err
    assert (work / "shop" / "settings.py").read_text() == "# my work\n"


def test_the_first_stage_has_no_exercise(work, capsys):
    assert main(["start", "01"]) == 1
    assert "where the workshop starts" in capsys.readouterr().err


def test_hints_come_one_at_a_time_in_order_and_are_remembered(work, capsys):
    lesson = lesson_load(stage_get(STAGE))
    workshop(capsys, "start", STAGE)

    shown = [workshop(capsys, "hint", STAGE)[1] for _ in range(lesson.hint_count)]

    expected = [hint for step in lesson.steps for hint in step.hints]
    for out, hint in zip(shown, expected, strict=True):
        assert " ".join(hint.split()[:6]) in " ".join(out.split())
    code, out = workshop(capsys, "hint", STAGE)
    assert code == 0 and "No more hints" in out and "workshop diff 01 02" in out


def test_hints_skip_steps_that_already_pass(work, capsys):
    lesson = lesson_load(stage_get(STAGE))
    workshop(capsys, "start", STAGE)
    progress = (
        (work / PROGRESS_FILE).read_text().replace('"steps_passed": []', '"steps_passed": [1]')
    )
    (work / PROGRESS_FILE).write_text(progress)

    _, out = workshop(capsys, "hint", STAGE)

    assert out.startswith(f"Step 2 of {len(lesson.steps)}: {lesson.steps[1].title}")


def test_a_hint_needs_a_started_exercise(work, capsys):
    assert main(["hint", STAGE]) == 1
    assert "workshop start 02" in capsys.readouterr().err


def test_the_diff_of_two_stages_is_the_lesson(capsys):
    code, out = workshop(capsys, "diff", "01", STAGE, "--stat")

    assert code == 0
    assert "added    pagefiles/middleware.py" in out
    assert "changed  shop/settings.py" in out
    assert "README.md" not in out and "var/" not in out


def test_the_diff_shows_each_change_as_a_unified_diff(capsys):
    _, out = workshop(capsys, "diff", "01", STAGE)

    assert "--- a/shop/settings.py\n+++ b/shop/settings.py\n" in out
    assert '+    "pagefiles",\n' in out


def test_status_tells_the_learners_progress(work, capsys):
    stage = stage_get(STAGE)
    assert "not started (workshop start 02)" in progress_line(stage)

    workshop(capsys, "start", STAGE)
    workshop(capsys, "hint", STAGE)

    assert "not checked yet" in progress_line(stage)
    assert "1 of" in progress_line(stage) and "hints seen" in progress_line(stage)


def test_a_learner_does_the_exercise_from_start_to_finish(work, capsys):
    """Start, check (every step fails), do the lesson, check again (every step passes)."""
    stage = stage_get(STAGE)
    lesson = lesson_load(stage)
    workshop(capsys, "start", STAGE)

    failing, out = workshop(capsys, "check", STAGE)

    assert failing == 1 and f"0 of {len(lesson.steps)} steps pass" in out

    for name in files_changed(work, stage.path):  # what the learner writes, file by file
        if (stage.path / name).exists():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(stage.path / name, work / name)
        else:
            (work / name).unlink()
    passing, out = workshop(capsys, "check", STAGE)

    assert passing == 0 and "Every step passes" in out
    assert f"{len(lesson.steps)} of {len(lesson.steps)} steps pass" in progress_line(stage)


def test_a_step_whose_tests_all_skipped_does_not_pass():
    """Without nginx, say: nothing has been shown to work yet."""
    step = Step(5, "Let nginx try the files first", ("tests/test_nginx_page_files.py",), ())

    skipped = StepResult(step, SuiteResult("stage 02", skipped=17))
    passing = StepResult(step, SuiteResult("stage 02", passed=17))

    assert (skipped.passed, skipped.outcome) == (False, "skipped")
    assert (passing.passed, passing.outcome) == (True, "passes")
