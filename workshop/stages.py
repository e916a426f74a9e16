"""The stages of the workshop, as found on disk: stages/NN_name/."""

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from . import ROOT
from .errors import WorkshopError

STAGES_DIR = ROOT / "stages"
WORK_ROOT_VAR = "WORKSHOP_WORK_DIR"  # where `workshop start` copies to; tests point it elsewhere


@dataclass(frozen=True)
class Stage:
    number: str  # "01"
    name: str  # "01_single_instance"
    path: Path

    @property
    def title(self) -> str:
        return self.name[3:].replace("_", " ")

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for running this stage's Django in a subprocess."""
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="shop.settings", **extra)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.path), env.get("PYTHONPATH")]))
        return env


def stage_list() -> list[Stage]:
    return [
        Stage(number=p.name[:2], name=p.name, path=p)
        for p in sorted(STAGES_DIR.iterdir())
        if re.fullmatch(r"\d\d_\w+", p.name) and (p / "manage.py").exists()
    ]


def stage_get(number: str) -> Stage:
    """A stage by number ("1", "01") or full folder name; WorkshopError with the choices."""
    wanted = number.zfill(2) if number.isdigit() else number
    for stage in stage_list():
        if wanted in (stage.number, stage.name):
            return stage
    choices = ", ".join(s.number for s in stage_list())
    raise WorkshopError(f"No stage {number!r}: choose one of {choices}.")


def stage_resolve(number: str | None, path: str | Path | None = None) -> Stage:
    """A stage, or, with ``path``, a copy of one kept elsewhere (a learner's work folder)
    as a Stage whose code is that folder. ``path`` may be a folder or the name of a work
    folder (02_static_cache); the stage is ``number``, or the one the folder is named after."""
    if path is None:
        return stage_get(number or "01")
    folder = _folder_find(Path(path))
    if number:
        return replace(stage_get(number), path=folder)
    for stage in stage_list():
        if folder.name == stage.name:
            return replace(stage, path=folder)
    raise WorkshopError(f"Which stage is {path}? Name it: workshop COMMAND NN --path {path}")


def work_root() -> Path:
    """Where the learners' work folders are (work/NN_name): copies of a stage, run by name."""
    return Path(os.environ.get(WORK_ROOT_VAR) or ROOT / "work")


def _folder_find(path: Path) -> Path:
    for folder in (path, work_root() / path):
        if (folder / "manage.py").is_file():
            return folder.resolve()
    raise WorkshopError(f"{path} is not a stage's folder: it has no manage.py")
