"""What the benchmark scripts share: statistics, the running system, result files and plots.

Each script in ``bench/`` measures one scenario; this package holds everything two of
them would otherwise repeat.
"""
