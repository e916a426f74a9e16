"""The drift check: the diff from stage N-1 to stage N stays on N's lesson, and what no
lesson changes lives once in workshop/ rather than copied into every stage.

The allow-list below is the one place that says which files every stage may carry as
identical copies, and why. Patterns are fnmatch globs on paths relative to the stage;
"*" also matches "/".
"""

import fnmatch
import hashlib
from pathlib import Path

from .stagediff import files_changed, folder_files

# They describe their own stage (EXERCISE.md: its exercise's brief), so they differ in every
# stage and no lesson declares them.
STAGE_DESCRIPTION = ("README.md", "lesson.toml", "EXERCISE.md")

# Files identical in every stage that still belong in each stage's own folder.
IDENTICAL_COPIES_ALLOWED = {
    # The Django project skeleton: where Django looks for a project and its apps.
    "project skeleton (startproject, startapp)": (
        "manage.py",
        "shop/__init__.py",
        "shop/wsgi.py",
        "shop/urls.py",  # ROOT_URLCONF: the project's own table of contents
        "*/__init__.py",
        "*/apps.py",
        "*/migrations/__init__.py",
    ),
    # How the stage runs (DESIGN.md's layout gives every stage its deploy/): stage 03 adds
    # app servers, stage 05 replicas, so each stage's topology is its own.
    "the stage's deploy/": ("deploy/*",),
    # The roadmap (DESIGN.md): what later lessons change is copied into every stage now.
    # An app that a lesson changes stays whole in each stage, so that a learner reads it
    # in one folder rather than half in workshop/.
    "03: sessions and carts move to the database": ("cart/*", "shop/settings.py"),
    "04: class-based views with two-pass caching, templates, data caching": (
        "storefront/*",
        "accounts/*",
        "templates/*",
    ),
    "05: database settings and routing, read-your-writes, migration rules": (
        "shop/settings.py",
        "orders/*",
    ),
}


def matches(path: str, patterns) -> bool:
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)


def drift_undeclared(old: Path, new: Path, declared) -> list[str]:
    """Files the diff from ``old`` to ``new`` touches that ``declared`` does not cover."""
    return [
        f"{name} ({how})"
        for name, how in files_changed(old, new).items()
        if name not in STAGE_DESCRIPTION and not matches(name, declared)
    ]


def drift_declared_unchanged(old: Path, new: Path, declared) -> list[str]:
    """Declared patterns that match no changed file: a manifest that claims too much."""
    changed = files_changed(old, new)
    return [pattern for pattern in declared if not matches_any(pattern, changed)]


def matches_any(pattern: str, names) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for name in names)


def identical_in_every_stage(stage_paths: list[Path]) -> list[str]:
    """Files with the same content in every stage, which no allowance covers: they belong
    once in workshop/."""
    if len(stage_paths) < 2:
        return []
    common = set.intersection(*(folder_files(path) for path in stage_paths))
    allowed = [p for patterns in IDENTICAL_COPIES_ALLOWED.values() for p in patterns]
    return sorted(
        name
        for name in common
        if name not in STAGE_DESCRIPTION
        and not matches(name, allowed)
        and len({_digest(path / name) for path in stage_paths}) == 1
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
