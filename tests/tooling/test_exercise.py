"""The exercise workflow as a learner meets it: start from the stage before and a
scaffold, take hints one at a time, check the work step by step, compare stages."""

import re
import shutil
import subprocess
import sys

import pytest

from workshop import ROOT
from workshop.cli import main
from workshop.exercise.check import Case, StepResult
from workshop.exercise.lesson import Step, lesson_load, stage_previous
from workshop.exercise.progress import progress_line
from workshop.exercise.scaffold import (
    BEGIN,
    END,
    MARKER,
    changed_outside_the_exercise,
    lines_per_step,
    lines_stated,
    replaced_tests,
    skeleton_text,
)
from workshop.exercise.stagediff import files_changed, folder_files
from workshop.exercise.unused import imports_unused
from workshop.exercise.workfolder import PROGRESS_FILE, progress_load
from workshop.stages import stage_get, stage_list, stage_resolve
from workshop.testing.services import require

STAGE = "02"
# Every stage with an exercise: the scaffold's own tests run for each of them.
EXERCISES = [s.number for s in stage_list() if lesson_load(s).exercise]


@pytest.fixture
def work_dir(tmp_path, monkeypatch):
    """Where the learner's work folders go, somewhere of their own."""
    monkeypatch.setenv("WORKSHOP_WORK_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def work(work_dir):
    return work_dir / stage_get(STAGE).name


@pytest.fixture(params=EXERCISES)
def exercise(request, work_dir):
    """(stage number, its work folder) of each stage with an exercise."""
    return request.param, work_dir / stage_get(request.param).name


def workshop(capsys, *args) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def test_starting_an_exercise_copies_the_stage_before_and_the_scaffold(exercise, capsys):
    number, work = exercise
    stage = stage_get(number)
    declared = lesson_load(stage).exercise
    code, out = workshop(capsys, "start", number)

    assert code == 0 and str(work) in out
    scaffold = {*declared["given"], *declared["skeleton"], *declared.get("remove", ())}
    scaffold |= set(replaced_tests(lesson_load(stage)))
    changed = set(files_changed(stage_previous(stage).path, work))
    assert changed - {"lesson.toml", "EXERCISE.md"} == {*scaffold, "README.md"}
    assert (work / "README.md").read_text() == (stage.path / "EXERCISE.md").read_text()
    assert not (work / "lesson.toml").exists() and not (work / "EXERCISE.md").exists()
    assert "TODO step 1:" in "".join((work / name).read_text() for name in declared["skeleton"])
    assert not (work / "var").exists()
    assert progress_load(work).hints_shown == {}


def test_the_scaffold_plus_the_answers_core_is_the_stage(exercise, capsys):
    """Only the skeletons' marked regions, the files the lesson says to write by hand and
    the lesson tests differ between a fresh scaffold and the stage: the answer lives once."""
    number, work = exercise
    lesson = lesson_load(stage_get(number))
    workshop(capsys, "start", number)

    assert changed_outside_the_exercise(lesson, work) == []
    every_step = {step.number for step in lesson.steps}
    for name in lesson.exercise["skeleton"]:
        stage_text = (stage_get(number).path / name).read_text()
        own = f"# exercise {number}:"
        answer = "".join(line for line in stage_text.splitlines(True) if own not in line)
        kept = skeleton_text(stage_text, stage=number, keep=every_step)
        assert kept == answer, f"{name}: markers only"
        assert (work / name).read_text() == skeleton_text(stage_text, stage=number)
        if name.endswith(".py"):
            compile((work / name).read_text(), name, "exec")  # the stand-ins keep it valid


def test_the_work_folder_holds_the_stages_version_of_a_test_the_lesson_reverses(work_dir, capsys):
    """Stage 04 reverses a test of stage 03 on purpose: a visitor with a session now gets
    the page from the cache. `workshop test 04 --path` must not fail on stage 03's."""
    stage = stage_get("04")
    reversed_test = "tests/test_view_cache.py"
    assert replaced_tests(lesson_load(stage))[reversed_test] == "changed"
    workshop(capsys, "start", "04")

    copied = (work_dir / stage.name / reversed_test).read_text()
    assert copied == (stage.path / reversed_test).read_text()
    assert "test_a_visitor_with_a_session_gets_a_fresh_page" not in copied


def test_the_scaffold_runs_as_it_is(exercise, capsys):
    number, work = exercise
    workshop(capsys, "start", number)
    env = stage_resolve(number, work).env()

    check = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=work, env=env, capture_output=True, text=True
    )

    assert check.returncode == 0, check.stderr


def test_a_learner_writes_at_most_150_lines_and_each_step_some(exercise, capsys):
    number, work = exercise
    lesson = lesson_load(stage_get(number))
    workshop(capsys, "start", number)

    counts = lines_per_step(lesson, work)

    assert sum(counts.values()) <= 150
    assert all(counts[step.number] > 0 for step in lesson.steps)


def test_each_brief_and_the_readme_state_the_lines_as_the_scaffold_counts_them(exercise, capsys):
    """One count, one method: the brief's number is lines_per_step's, and so is the README's."""
    number, work = exercise
    lesson = lesson_load(stage_get(number))
    workshop(capsys, "start", number)
    counts = lines_per_step(lesson, work)

    brief = " ".join((work / "README.md").read_text().split())
    readme = " ".join((ROOT / "README.md").read_text().split())

    assert lines_stated(lesson, counts) in brief
    assert f"python -m workshop.exercise.scaffold {number}" in brief
    totals = re.search(r"The exercises ask for ([\d, and]+) lines \(stages 02 to 05\)", readme)
    stated = dict(zip(EXERCISES, re.findall(r"\d+", totals[1]), strict=True))
    assert stated[number] == str(sum(counts.values()))


def test_an_answer_leaves_none_of_the_scaffolds_imports_unused(exercise):
    number, _ = exercise
    stage = stage_get(number)

    assert imports_unused(lesson_load(stage), stage.path) == []


def test_an_import_left_unused_by_the_work_is_named_as_a_clue(tmp_path):
    """Stage 04: a sale that no longer removes page files leaves pages_invalidate unused."""
    stage = stage_get("04")
    work = tmp_path / stage.name
    shutil.copytree(stage.path / "storefront", work / "storefront")
    invalidation = work / "storefront" / "invalidation.py"
    text = invalidation.read_text()
    invalidation.write_text(text.replace("    pages_invalidate(pages)\n", "    pass\n"))

    unused = imports_unused(lesson_load(stage), work)

    assert len(unused) == 1 and "storefront/invalidation.py" in unused[0]
    assert "pages_invalidate" in unused[0]


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
    assert code == 0 and "No more hints" in out and "workshop diff 01 02 --yes" in out
    assert f"{lesson.hint_count} of {lesson.hint_count} seen" in out
    assert f"{lesson.hint_count} of {lesson.hint_count} hints seen" in progress_line(
        stage_get(STAGE)
    )


def test_hint_and_status_agree_when_every_step_passes(work, capsys):
    lesson = lesson_load(stage_get(STAGE))
    workshop(capsys, "start", STAGE)
    workshop(capsys, "hint", STAGE)
    progress = progress_load(work)
    progress.steps_passed, progress.checked = [s.number for s in lesson.steps], True
    (work / PROGRESS_FILE).write_text(__import__("json").dumps(progress.__dict__))

    _, out = workshop(capsys, "hint", STAGE)

    assert f"1 of {lesson.hint_count} seen" in out
    assert f"1 of {lesson.hint_count} hints seen" in progress_line(stage_get(STAGE))


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


def test_the_diff_into_a_started_exercise_asks_before_it_shows_the_answer(work, capsys):
    workshop(capsys, "start", STAGE)

    assert main(["diff", "01", STAGE]) == 1  # no terminal to ask at: refused
    assert "--yes" in capsys.readouterr().err
    code, out = workshop(capsys, "diff", "01", STAGE, "--yes")
    assert code == 0 and "+++ b/pagefiles/middleware.py" in out


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
    """Start, check (every step fails, in a few kilobytes), do the lesson step by step
    (check --step N), check again (every step passes). The last step needs nginx."""
    if not shutil.which("nginx", path="/usr/sbin:/usr/local/sbin:/opt/homebrew/bin"):
        require("needs nginx: apt-get install nginx (macOS: brew install nginx)")
    stage = stage_get(STAGE)
    lesson = lesson_load(stage)
    workshop(capsys, "start", STAGE)

    failing, out = workshop(capsys, "check", STAGE)

    assert failing == 1 and f"0 of {len(lesson.steps)} steps pass" in out
    assert len(out.encode()) < 4000, "a fresh start's check prints a few kilobytes at most"
    assert "First failure, step 1:" in out

    # What the learner writes: the stage's own files, step 1's alone first.
    step_one = ["pagefiles/middleware.py", *lesson.exercise["write"]["1"]]
    answer = [name for name in files_changed(work, stage.path) if name not in step_one]
    for name in [*step_one, *answer]:
        if (stage.path / name).exists():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(stage.path / name, work / name)
        else:
            (work / name).unlink()
        if name == step_one[-1]:
            code, out = workshop(capsys, "check", STAGE, "--step", "1")
            assert code == 0 and "1. Write the page" in out and "2. Write whole" not in out
    passing, out = workshop(capsys, "check", STAGE)

    assert passing == 0 and "Every step passes" in out
    assert f"{len(lesson.steps)} of {len(lesson.steps)} steps pass" in progress_line(stage)


def test_check_takes_a_path_and_pytest_arguments_together(capsys):
    """workshop check 02 --path stages/01_single_instance -- -x: stage 01 has no page
    files, so every step fails, and the stage's folder keeps no progress file."""
    stage_01 = stage_get("01").path

    code, out = workshop(capsys, "check", STAGE, "--path", str(stage_01), "--step", "4", "--", "-x")

    assert code == 1 and "4. Warm up the cache" in out and "1. Write the page" not in out
    assert "1 of 1 tests fail" in out  # -x: pytest stopped at the first of 4
    assert not (stage_01 / PROGRESS_FILE).exists()


def test_a_work_folder_is_a_stage_by_its_name(work, capsys):
    workshop(capsys, "start", STAGE)

    stage = stage_resolve(None, work.name)

    assert (stage.number, stage.path) == (STAGE, work.resolve())


def test_a_step_whose_tests_all_skipped_does_not_pass():
    """Without nginx, say: nothing has been shown to work yet, and check says why."""
    step = Step(5, "Let nginx try the files first", ("tests/test_nginx_page_files.py",), ())
    reason = "needs nginx: apt-get install nginx (macOS: brew install nginx)"

    skipped = StepResult(step, (Case("t.py::test_a", "skipped", reason),) * 17)
    passing = StepResult(step, (Case("t.py::test_a", "passed"),) * 17)

    assert (skipped.passed, skipped.outcome, skipped.skip_reason) == (
        False,
        "17 of 17 tests skipped",
        reason,
    )
    assert (passing.passed, passing.outcome) == (True, "passes")


def test_a_step_with_one_test_skipped_is_not_shown_as_passing():
    """Stage 04's step 3 without the stack: two tests pass, the stack test skips."""
    step = Step(3, "Fill in the visitor's own parts", ("tests/test_visitor_parts.py",), ())
    reason = "stack test: set WORKSHOP_STACK_TESTS=1"
    cases = (Case("t.py::test_a", "passed"),) * 2 + (Case("t.py::test_b", "skipped", reason),)

    result = StepResult(step, cases)

    assert (result.passed, result.outcome, result.skip_reasons) == (
        False,
        "1 of 3 tests skipped",
        [reason],
    )


def test_a_skipped_step_keeps_a_pass_recorded_earlier_and_a_failed_one_loses_it():
    from workshop.exercise.workfolder import Progress, progress_checked

    steps = [Step(n, f"step {n}", ("t.py",), ()) for n in (1, 2, 3)]
    progress = Progress("04_two_pass", steps_passed=[1, 2, 3], checked=True)
    results = [
        StepResult(steps[0], (Case("t.py::test_a", "passed"),)),
        StepResult(steps[1], (Case("t.py::test_a", "failed", "boom"),)),
        StepResult(steps[2], (Case("t.py::test_a", "skipped", "needs memcached"),)),
    ]

    assert progress_checked(progress, results).steps_passed == [1, 3]
    assert progress_checked(Progress("04_two_pass"), results).steps_passed == [1]


def test_without_nginx_check_says_how_many_steps_pass_and_what_to_install(capsys):
    from workshop.exercise.checkreport import check_report
    from workshop.exercise.workfolder import Progress

    stage = stage_get(STAGE)
    lesson = lesson_load(stage)
    reason = "needs nginx: apt-get install nginx (macOS: brew install nginx)"
    results = [StepResult(step, (Case("t.py::test_a", "passed"),)) for step in lesson.steps]
    results[-1] = StepResult(lesson.steps[-1], (Case("t.py::test_a", "skipped", reason),))
    progress = Progress(stage.name, steps_passed=[r.step.number for r in results if r.passed])

    code = check_report(stage, lesson, results, progress, verbose=False)

    out = capsys.readouterr().out
    steps = len(lesson.steps)
    assert code == 1 and f"{steps - 1} of {steps} steps pass" in out
    assert f"Step {steps} is not shown to pass: 1 of 1 tests skipped, as this needs:" in out
    last = next(line for line in out.splitlines() if lesson.steps[-1].title in line)
    assert last.endswith("1 of 1 tests skipped") and reason in out
    assert "Every step passes only when none of its tests is skipped" in out
    assert "earlier check" not in out


def test_a_check_where_a_passed_step_skips_says_its_pass_is_kept(capsys):
    from workshop.exercise.checkreport import check_report
    from workshop.exercise.workfolder import Progress, progress_checked

    stage = stage_get("04")
    lesson = lesson_load(stage)
    reason = "needs memcached, and CACHE_URL is not set (the in-process cache)"
    results = [StepResult(step, (Case("t.py::test_a", "passed"),)) for step in lesson.steps]
    results[-1] = StepResult(lesson.steps[-1], (Case("t.py::test_a", "skipped", reason),))
    every = [step.number for step in lesson.steps]
    progress = progress_checked(Progress(stage.name, steps_passed=every, checked=True), results)

    code = check_report(stage, lesson, results, progress, verbose=False)

    out = capsys.readouterr().out
    steps = len(lesson.steps)
    assert code == 1 and progress.steps_passed == every
    assert "It passed at an earlier check, and your progress keeps that." in out
    assert f"{steps - 1} of {steps} steps pass in this check ({steps} of {steps} with" in out


def test_a_work_folder_runs_in_a_stack_of_its_own(work, capsys):
    """`workshop up 02 --path 02_static_cache`: the learner's code, beside stage 02's stack."""
    from workshop.commands.stack import _stack

    workshop(capsys, "start", STAGE)

    copy, own = _stack(None, work.name), _stack(STAGE)

    assert copy.stage.path == work.resolve() and own.stage.path == stage_get(STAGE).path
    assert copy.run.path != own.run.path


def _markers(stage) -> dict[str, list[str]]:
    """Every marker line of the stage's files, by file."""
    found = {}
    for name in sorted(folder_files(stage.path)):
        try:
            lines = (stage.path / name).read_text().splitlines()
        except UnicodeDecodeError:
            continue
        found[name] = [line for line in lines if MARKER.fullmatch(line)]
    return {name: lines for name, lines in found.items() if lines}


@pytest.mark.parametrize("stage", stage_list(), ids=lambda s: s.number)
def test_every_exercise_marker_names_its_own_stage_or_one_it_was_carried_from(stage):
    """A marker names the stage whose exercise it belongs to: this stage's, or an earlier
    stage's whose file holds the same marker (a region carried forward). A marker of no
    stage, or of a later one, would make a scaffold of the wrong step."""
    stages = {s.number: s for s in stage_list()}
    wrong = []
    for name, lines in _markers(stage).items():
        for line in lines:
            marker = BEGIN.fullmatch(line) or END.fullmatch(line)
            owner = marker["stage"] if marker else None
            if owner == stage.number:
                continue
            source = stages.get(owner).path / name if owner in stages else None
            carried = owner and owner < stage.number and source and source.exists()
            if not (carried and line in source.read_text().splitlines()):
                wrong.append(f"{name}: {line.strip()}")
    assert wrong == []


def test_a_scaffold_turns_only_its_own_stages_regions_into_todos():
    text = (
        "a = 1\n"
        "# exercise 04: step 3: stage 04's region\n"
        "b = 2\n"
        "# exercise 04: end, stand-in: b = None\n"
        "# exercise 05: step 1: stage 05's region\n"
        "c = 3\n"
        "# exercise 05: end, stand-in: c = None\n"
    )

    assert skeleton_text(text, stage="05") == (
        "a = 1\n"
        "# exercise 04: step 3: stage 04's region\n"
        "b = 2\n"
        "# exercise 04: end, stand-in: b = None\n"
        "# TODO step 1: stage 05's region\n"
        "c = None\n"
    )
