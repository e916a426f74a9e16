"""What `workshop check` prints: one line per step, the first failure's message, and what
to do next. Short on purpose (a fresh start prints about a kilobyte): --verbose shows
pytest's whole output instead.

A step whose tests skipped (no nginx, no memcached here) is never shown as passing: it
reads "K of N tests skipped", with what was missing, and keeps a pass an earlier check
recorded (workfolder.progress_checked)."""

import textwrap

from .check import StepResult
from .lesson import Lesson


def check_report(stage, lesson: Lesson, results: list[StepResult], progress, *, verbose) -> int:
    number = stage.number
    width = max([51, *(len(r.step.title) + 1 for r in results)])  # a long title's too
    print(f"\n{'step':<{width + 3}}{'result':>22}")
    for r in results:
        print(f"{r.step.number}. {r.step.title:<{width}}{r.outcome:>22}")
    skipped = [r for r in results if not r.passed and r.skip_reason]
    failing = [r for r in results if not r.passed and not r.skip_reason]
    first = next((r for r in failing if r.first_failure), None)
    if first and not verbose:
        case = first.first_failure
        print(f"\nFirst failure, step {first.step.number}: {case.test}")
        print(textwrap.indent(case.message or "(no message)", "  "))
    for r in skipped:
        print(f"\nStep {r.step.number} is not shown to pass: {r.outcome}, as this needs:")
        print(textwrap.indent("\n".join(r.skip_reasons), "  "))
        if r.step.number in progress.steps_passed:
            print("It passed at an earlier check, and your progress keeps that.")
    if len(results) < len(lesson.steps):
        shown = ", ".join(str(r.step.number) for r in results)
        verdict = "not yet" if failing else "not shown (tests skipped)" if skipped else "passes"
        print(f"\nStep {shown}: {verdict}.", end=" ")
        print(f"{len(progress.steps_passed)} of {len(lesson.steps)} steps passed so far.")
        return 1 if failing or skipped else 0
    if not failing and not skipped:
        print(f"\nEvery step passes: stage {number} is done.")
        print(f"Compare with the stage's own: workshop diff {number} work/{stage.name}")
        return 0
    passing = len(results) - len(failing) - len(skipped)
    kept = [r for r in skipped if r.step.number in progress.steps_passed]
    if kept:
        so_far = f"{len(progress.steps_passed)} of {len(results)} with those kept from before"
        print(f"\n{passing} of {len(results)} steps pass in this check ({so_far}).", end=" ")
    else:
        print(f"\n{passing} of {len(results)} steps pass.", end=" ")
    if first:
        print(f"Next: step {first.step.number}, {first.step.title}.")
        step = first.step.number
        print(f"Stuck? workshop hint {number}. Alone: workshop check {number} --step {step}")
        print("All of pytest's output: --verbose")
    else:
        step = skipped[0].step.number
        print(f"Next: what step {step} needs, then workshop check {number} --step {step}")
        print("Every step passes only when none of its tests is skipped.")
    return 1
