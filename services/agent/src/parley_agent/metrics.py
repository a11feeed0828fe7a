"""The demo agent's Prometheus metrics (served at /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

TOOL_CALLS = Counter(
    "agent_tool_calls_total",
    "Calls of the respond tool, by what the caller did",
    ["event"],
)
TOOL_DURATION_MS = Histogram(
    "agent_tool_duration_ms",
    "Time the respond tool took to produce its reply (ms)",
    buckets=(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000),
)
