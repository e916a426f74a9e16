"""``workshop check``: a stage's lesson tests run on the learner's code, step by step, each
step in its own pytest process, so each step passes or fails alone. pytest's JUnit report
says, test by test, what passed, what failed and why, and what skipped and why."""

import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path

from workshop import ROOT

from .lesson import Lesson, Step

MESSAGE_LINES = 8  # of a failure's explanation, in the summary
LINE_WIDTH = 160  # a longer line (a 6,000-character path) is cut


@dataclass(frozen=True)
class Case:
    """One test's outcome: "passed", "failed" or "skipped", and pytest's words for why."""

    test: str  # "test_page_files.py::test_a_post_writes_no_file"
    outcome: str
    message: str = ""


@dataclass(frozen=True)
class StepResult:
    step: Step
    cases: tuple[Case, ...]
    exit_code: int = 0
    output: str = ""  # pytest's own output, when captured

    def count(self, outcome: str) -> int:
        return sum(1 for case in self.cases if case.outcome == outcome)

    @property
    def passed(self) -> bool:
        # Every test ran and passed: a skipped test (no nginx here, say) has shown nothing.
        return (
            self.exit_code == 0
            and self.count("passed") > 0
            and not self.count("failed")
            and not self.count("skipped")
        )

    @property
    def skip_reasons(self) -> list[str]:
        """Why tests skipped, each reason once, when none failed: what was missing."""
        if self.count("failed"):
            return []
        reasons = [case.message for case in self.cases if case.outcome == "skipped"]
        return list(dict.fromkeys(reason or "(no reason given)" for reason in reasons))

    @property
    def skip_reason(self) -> str | None:
        return self.skip_reasons[0] if self.skip_reasons else None

    @property
    def outcome(self) -> str:
        if self.passed:
            return "passes"
        if self.count("failed"):
            return f"{self.count('failed')} of {len(self.cases)} tests fail"
        if self.skip_reason:
            return f"{self.count('skipped')} of {len(self.cases)} tests skipped"
        return "fails"

    @property
    def first_failure(self) -> Case | None:
        failed = [case for case in self.cases if case.outcome == "failed"]
        if failed:
            return failed[0]
        if not self.passed and not self.skip_reason:  # pytest died before it could report
            return Case("pytest", "failed", _cut(self.output.strip().splitlines()[-MESSAGE_LINES:]))
        return None


def lesson_steps(lesson: Lesson) -> tuple[Step, ...]:
    """The exercise's steps; a stage without steps is one step: all its lesson tests."""
    return lesson.steps or (Step(1, lesson.title, lesson.tests, ()),)


def lesson_check(
    lesson: Lesson, code: Path, *, pytest_args=(), steps=None, echo=False
) -> list[StepResult]:
    """Run the lesson tests of ``steps`` (default: all) on ``code``. ``echo`` lets pytest
    print to the terminal; otherwise its output is kept in each result."""
    wanted = [s for s in lesson_steps(lesson) if steps is None or s.number in steps]
    return [
        step_run(lesson, code, step, lesson.test_paths(step.tests), pytest_args, echo)
        for step in wanted
    ]


def step_run(lesson, code, step, paths, pytest_args=(), echo=False) -> StepResult:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.xml"
        command = [
            sys.executable, "-m", "pytest", *map(str, paths), f"--junitxml={report}",
            "-p", "no:cacheprovider",
            # PYTHONPATH (env) names the code under test. pytest-django would otherwise
            # put the stage's own folder, above its test files, first on sys.path.
            "-o", "django_find_project=false", "-o", "junit_family=xunit1",
            *pytest_args,
        ]  # fmt: skip
        env = replace(lesson.stage, path=code).env()
        run = subprocess.run(command, env=env, cwd=ROOT, capture_output=not echo, text=True)
        cases = cases_read(report) if report.exists() else ()
        output = "" if echo else run.stdout + run.stderr
        return StepResult(step, tuple(cases), run.returncode, output)


def cases_read(report: Path) -> list[Case]:
    cases = []
    for case in ET.parse(report).getroot().iter("testcase"):
        module = case.get("file") or case.get("classname", "").replace(".", "/") + ".py"
        test = f"{Path(module).name}::{case.get('name')}"
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        skipped = case.find("skipped")
        if problem is not None:
            cases.append(Case(test, "failed", _explanation(problem)))
        elif skipped is not None:
            cases.append(Case(test, "skipped", skipped.get("message", "")))
        else:
            cases.append(Case(test, "passed"))
    return cases


def _explanation(problem: ET.Element) -> str:
    """pytest's "E   " lines (the assertion and its message), or the message alone."""
    lines = [line[1:].strip() for line in (problem.text or "").splitlines() if line[:1] == "E"]
    # pytest's "+  where x = f()" lines repeat the object reprs: the message says enough.
    lines = [line for line in lines if not re.match(r"\+\s+where ", line)]
    return _cut(lines[:MESSAGE_LINES] or [problem.get("message", "")])


def _cut(lines) -> str:
    return "\n".join(
        line if len(line) <= LINE_WIDTH else line[: LINE_WIDTH - 1] + "…" for line in lines
    )
