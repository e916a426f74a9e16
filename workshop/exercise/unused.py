"""The scaffold's imports still unused once every step passes. A skeleton imports what its
TODOs will use (so ruff's F401 is off in work/: pyproject.toml); an import still unused
at the end is a clue to a behaviour the answer has and the work may lack, such as stage
04's pages_invalidate, which a sale must still call."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from .lesson import Lesson


def imports_unused(lesson: Lesson, folder: Path) -> list[str]:
    """ "file:line: message" for each unused import in the work's skeleton files; none
    when ruff (in the dev extra) is not installed."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    skeletons = lesson.exercise.get("skeleton", ())
    files = [name for name in skeletons if name.endswith(".py") and (folder / name).exists()]
    if ruff is None or not files:
        return []
    command = [
        ruff,
        "check",
        "--isolated",
        "--no-cache",
        "--select",
        "F401",
        "--output-format",
        "json",
    ]
    run = subprocess.run([*command, *files], cwd=folder, capture_output=True, text=True)
    try:
        found = json.loads(run.stdout or "[]")
    except json.JSONDecodeError:
        return []
    return [
        f"{Path(item['filename']).relative_to(folder.resolve())}:{item['location']['row']}: "
        f"{item['message']}"
        for item in found
        if item.get("code") == "F401"
    ]
