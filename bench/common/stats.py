"""Distribution summaries in the shape every result file uses."""

from __future__ import annotations

import statistics


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (`q` in 0..100) of a non-empty sample."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summarise(values: list[float]) -> dict[str, float]:
    """Count, median, p95, p99, min and max, rounded to 0.1; only the count when empty."""
    if not values:
        return {"count": 0}
    return {
        "count": len(values),
        "median": round(statistics.median(values), 1),
        "p95": round(percentile(values, 95), 1),
        "p99": round(percentile(values, 99), 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
    }


def slope_per_hour(times_s: list[float], values: list[float]) -> float | None:
    """Least-squares slope of `values` over `times_s`, per hour (None below 3 samples)."""
    if len(values) < 3 or len(set(times_s)) < 2:
        return None
    fit = statistics.linear_regression(times_s, values)
    return fit.slope * 3600
