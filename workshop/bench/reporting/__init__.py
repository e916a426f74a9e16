"""What a run's results become: the figures the workshop reports (analysis.py), the
notebooks' plots (plots.py) and the summary ``workshop bench`` prints (summary.py)."""
