"""What differs between two stage folders (or a stage and a learner's copy): the files,
and the unified diff of each. Generated files (var/, caches) are never compared, nor the
exercise's marker lines (`# exercise NN: step N: …`, workshop/exercise/scaffold.py)."""

import difflib
import fnmatch
import re
from pathlib import Path

# The learner's progress, kept in their work folder (workfolder.py).
PROGRESS_FILE = ".workshop-progress.json"
# Neither copied nor compared: what a stage writes as it runs, caches, the progress.
GENERATED = ("var", "__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache", PROGRESS_FILE)

MARKER = re.compile(rb"^[ \t]*# exercise \d\d: (?:step \d+: .*|end.*)\n?", re.MULTILINE)


def _generated(relative: Path) -> bool:
    return any(fnmatch.fnmatch(part, pattern) for part in relative.parts for pattern in GENERATED)


def folder_files(folder: Path) -> set[str]:
    """Every file under ``folder``, as a path relative to it, with forward slashes."""
    files = set()
    for path in folder.rglob("*"):
        relative = path.relative_to(folder)
        if path.is_file() and not _generated(relative):
            files.add(relative.as_posix())
    return files


def files_changed(old: Path, new: Path) -> dict[str, str]:
    """{relative path: "added" | "removed" | "changed"}, sorted by path."""
    before, after = folder_files(old), folder_files(new)
    changes = {}
    for name in sorted(before | after):
        if name not in before:
            changes[name] = "added"
        elif name not in after:
            changes[name] = "removed"
        elif _content(old / name) != _content(new / name):
            changes[name] = "changed"
    return changes


def _content(path: Path) -> bytes:
    return MARKER.sub(b"", path.read_bytes())


def _lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return _content(path).decode("utf-8", errors="replace").splitlines(keepends=True)


def diff_lines(old: Path, new: Path, names) -> list[str]:
    """A unified diff of ``names``, as `diff -ru` prints it, with a/ and b/ as the folders."""
    lines = []
    for name in names:
        a, b = _lines(old / name), _lines(new / name)
        lines.extend(difflib.unified_diff(a, b, f"a/{name}", f"b/{name}"))
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
    return lines
