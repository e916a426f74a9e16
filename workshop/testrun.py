"""Run test suites, each in its own pytest process (one Django per process), and add
up their results from pytest's JUnit XML reports."""

import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path

from . import ROOT
from .stages import Stage

BEHAVIOUR_TESTS = ROOT / "tests" / "behaviour"
STACK_TESTS = ROOT / "tests" / "stack"  # on the stage's native stack (workshop/testing/stack.py)
TOOLING_TESTS = ROOT / "tests" / "tooling"


@dataclass
class SuiteResult:
    name: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    exit_code: int = 0

    @property
    def ok(self) -> bool:
        # pytest's 5 means "no tests collected": a suite that tests nothing is not a pass.
        return self.exit_code == 0 and self.failed == 0


def suite_run(name, paths, *, env=None, cwd=ROOT, pytest_args=()) -> SuiteResult:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.xml"
        command = [
            sys.executable,
            "-m",
            "pytest",
            *map(str, paths),
            f"--junitxml={report}",
            "-p",
            "no:cacheprovider",
            *pytest_args,
        ]
        print(f"\n=== {name}: pytest {' '.join(map(str, paths))}", flush=True)
        started = time.monotonic()
        exit_code = subprocess.run(command, env=env, cwd=cwd).returncode
        result = SuiteResult(name, seconds=time.monotonic() - started, exit_code=exit_code)
        if report.exists():
            _count(result, report)
        elif exit_code:
            result.failed = 1  # pytest died before it could report
        return result


def _count(result: SuiteResult, report: Path) -> None:
    for suite in ET.parse(report).getroot().iter("testsuite"):
        tests, skipped = int(suite.get("tests", 0)), int(suite.get("skipped", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        result.passed += tests - skipped - failed
        result.failed += failed
        result.skipped += skipped


def stage_suite_run(stage: Stage, *, path: Path | None = None, tests=None, pytest_args=()):
    """A stage's own tests plus the shared behaviour and stack suites, or just ``tests``,
    run on the stage's code, or on a learner's copy of it at ``path``."""
    code = path or stage.path
    paths = tests or [code / "tests", BEHAVIOUR_TESTS, STACK_TESTS]
    env = replace(stage, path=code).env()
    # PYTHONPATH (env) names the code under test. pytest-django would otherwise put the
    # folder of the first manage.py above the test files first on sys.path: the stage's
    # own code, not the learner's copy that `workshop check` means to test.
    pytest_args = ["-o", "django_find_project=false", *pytest_args]
    return suite_run(f"stage {stage.number}", paths, env=env, pytest_args=pytest_args)


def tooling_suite_run(pytest_args=()) -> SuiteResult:
    return suite_run("tooling", [TOOLING_TESTS], pytest_args=pytest_args)


def summary_print(results: list[SuiteResult]) -> bool:
    print(f"\n{'suite':<12}{'passed':>8}{'failed':>8}{'skipped':>9}{'seconds':>9}")
    for r in results:
        mark = "" if r.ok else "  <- FAILED" + (" (no tests ran)" if r.exit_code == 5 else "")
        print(f"{r.name:<12}{r.passed:>8}{r.failed:>8}{r.skipped:>9}{r.seconds:>9.1f}{mark}")
    total = {k: sum(getattr(r, k) for r in results) for k in ("passed", "failed", "skipped")}
    ok = all(r.ok for r in results)
    print(
        f"\nworkshop: {total['passed']} passed, {total['failed']} failed, "
        f"{total['skipped']} skipped"
    )
    return ok
