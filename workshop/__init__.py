"""The workshop's tooling and the lesson-free code every stage shares."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
