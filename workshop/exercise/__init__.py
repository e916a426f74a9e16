"""Exercises: each stage's lesson manifest (lesson.toml), the scaffold a learner starts
from (derived from the stage: scaffold.py), the learner's work folder and progress, the
check that runs a stage's lesson tests on the learner's code, the diff between stages, and
the drift check that keeps that diff on its lesson."""
