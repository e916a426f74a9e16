"""The root README's instructions match the tooling they describe."""

import re

from workshop import ROOT
from workshop.bench.profiles import CHOICES
from workshop.stages import stage_list

README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_quick_start_tells_attendees_to_run_the_doctor_after_setup():
    assert ".venv/bin/workshop doctor" in section("Quick start")


def test_the_profile_list_names_every_choice_of_bench():
    listed = re.search(r"--profile spike\s+# (.*)", README).group(1)

    assert listed.split(" | ") == list(CHOICES)


def test_the_test_summary_shows_every_stage_and_the_tooling():
    summary = section("Tests").split("```\n", 2)[1]
    suites = re.findall(r"^(stage \d\d|tooling) ", summary, flags=re.MULTILINE)

    assert suites == [f"stage {stage.number}" for stage in stage_list()] + ["tooling"]


def test_the_venvs_own_pip_is_named():
    assert not re.search(r"^pip install", README, flags=re.MULTILINE)
    assert "`pip install" not in README
