"""Quantiles read from a service's Prometheus histogram (to bucket resolution)."""

from __future__ import annotations

import math

import httpx
from prometheus_client.parser import text_string_to_metric_families


def scrape(base_url: str) -> str:
    return httpx.get(base_url.rstrip("/") + "/metrics", timeout=5).text


def histogram_quantiles(
    text: str, name: str, quantiles: tuple[float, ...] = (0.5, 0.99)
) -> dict[str, float | int | None]:
    """The observation count and, per quantile, the upper bound of the bucket it falls in
    (None when it lies beyond the last finite bucket), from Prometheus exposition text."""
    buckets: list[tuple[float, float]] = []
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == f"{name}_bucket":
                buckets.append((float(sample.labels["le"]), sample.value))
    buckets.sort()
    total = buckets[-1][1] if buckets else 0
    result: dict[str, float | int | None] = {"count": int(total)}
    for q in quantiles:
        bound = next((le for le, n in buckets if total and n >= q * total), None)
        result[f"p{round(q * 100)}AtMostMs"] = None if bound is None or math.isinf(bound) else bound
    return result
