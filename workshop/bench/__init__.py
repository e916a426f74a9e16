"""Measuring the stages: ``workshop bench`` and the notebooks.

Here, the runner and what it measures with: locust runs (profiles.py, locust_run.py,
locust_csv.py, progress.py), CPU and database counters (cpu.py, db.py, logins.py), the
machine (machine.py), the warm-up, the results folder, the notebooks' execution.
experiments/: each measurement beyond the profiles (the drills, the scale-out, the
migration under load, the rebuild, the trip). reporting/: the figures, tables and
summaries made from their results.
"""
