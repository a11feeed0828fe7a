"""PNG plots of latency distributions and time series (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure


def distribution_plot(
    path: Path, title: str, series: dict[str, list[float]], unit: str = "ms"
) -> Path:
    """Histogram (left) and empirical CDF (right) of each named sample, on shared axes."""
    figure, (hist, cdf) = plt.subplots(1, 2, figsize=(11, 4))
    top = max((max(v) for v in series.values() if v), default=1.0)
    low = min((min(v) for v in series.values() if v), default=0.0)
    bins = [low + (top - low) * i / 50 for i in range(51)]
    for name, values in series.items():
        if not values:
            continue
        hist.hist(values, bins=bins, alpha=0.55, label=name)
        ordered = sorted(values)
        fractions = [(i + 1) / len(ordered) for i in range(len(ordered))]
        cdf.step(ordered, fractions, where="post", label=name)
    hist.set(xlabel=unit, ylabel="count", title="histogram")
    cdf.set(xlabel=unit, ylabel="fraction ≤ x", title="CDF", ylim=(0, 1.02))
    for quantile in (0.5, 0.95, 0.99):
        cdf.axhline(quantile, color="grey", linewidth=0.5, linestyle=":")
    for axes in (hist, cdf):
        axes.grid(alpha=0.3)
        axes.legend(fontsize=8)
    figure.suptitle(title)
    return _save(figure, path)


def series_plot(
    path: Path,
    title: str,
    x: list[float],
    lines: dict[str, list[float]],
    xlabel: str,
    ylabel: str,
    threshold: float | None = None,
) -> Path:
    """One line per named series over a shared x axis, with an optional limit drawn."""
    figure, axes = plt.subplots(figsize=(8, 4))
    for name, values in lines.items():
        axes.plot(x[: len(values)], values, marker="o", markersize=3, label=name)
    if threshold is not None:
        axes.axhline(threshold, color="red", linewidth=0.8, linestyle="--", label="limit")
    axes.set(xlabel=xlabel, ylabel=ylabel, title=title)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    return _save(figure, path)


def _save(figure: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path
