from __future__ import annotations

from prometheus_client import Counter, Histogram

MCP_LATENCY = Histogram(
    "voice_mcp_latency_ms",
    "Agent tool call round trip",
    buckets=(5, 10, 25, 50, 100, 200, 400, 800, 1600, 5000),
)
TURNS = Counter("dialogue_turns_total", "Caller turns answered", ["outcome"])
REPLY_READY = Histogram(
    "voice_dialogue_reply_ready_ms",
    "End of caller speech to the reply's first sentence published",
    buckets=(50, 100, 200, 300, 500, 700, 1000, 1500, 2000, 5000),
)
