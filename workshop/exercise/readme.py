"""The hints of a lesson, written into its stage README between two markers, so that a
learner who prefers to read ahead finds them there, and they never drift from
lesson.toml (tests/tooling/test_lesson_readmes.py compares them).

    python -m workshop.exercise.readme 02     rewrites the hints in stage 02's README
"""

import re
import sys

from workshop.stages import stage_get

from .lesson import Lesson, lesson_load

START = "<!-- hints: written from lesson.toml by python -m workshop.exercise.readme -->"
END = "<!-- end of hints -->"
SECTION = re.compile(re.escape(START) + r"\n(.*?)" + re.escape(END), re.DOTALL)


def hints_markdown(lesson: Lesson) -> str:
    blocks = []
    for step in lesson.steps:
        hints = "\n".join(f"{n}. {hint}" for n, hint in enumerate(step.hints, start=1))
        summary = f"Step {step.number}: {step.title}"
        blocks.append(f"<details><summary>{summary}</summary>\n\n{hints}\n\n</details>\n")
    return "\n".join(blocks)


def readme_hints(text: str) -> str | None:
    """The hints section of a README's text, or None when it has none."""
    match = SECTION.search(text)
    return match.group(1) if match else None


def readme_hints_write(lesson: Lesson) -> None:
    path = lesson.stage.path / "README.md"
    text = path.read_text()
    if readme_hints(text) is None:
        raise SystemExit(f"{path} has no hints section: add the two markers from readme.py")
    section = f"{START}\n{hints_markdown(lesson)}{END}"
    path.write_text(SECTION.sub(lambda _: section, text))


if __name__ == "__main__":
    readme_hints_write(lesson_load(stage_get(sys.argv[1])))
