"""The LLM agent's Prometheus metrics (served at /metrics beside the respond tool's)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

COMPLETIONS = Counter(
    "agent_llm_completions_total",
    "Model calls (one per tool round), by outcome: ok or failed",
    ["outcome"],
)
FIRST_TOKEN_MS = Histogram(
    "agent_llm_first_token_ms",
    "From sending a model call to its first streamed text or tool call (ms)",
    buckets=(50, 100, 200, 300, 500, 750, 1000, 1500, 2500, 5000),
)
TOKENS = Counter(
    "agent_llm_tokens_total",
    "Tokens the model reported, by kind: prompt or completion",
    ["kind"],
)
MODEL_TOOL_CALLS = Counter(
    "agent_llm_tool_calls_total",
    "Tool calls the model asked for, by tool and outcome: ok, error, timeout or skipped "
    "(a speculative turn runs none)",
    ["tool", "outcome"],
)
FAILURES = Counter(
    "agent_llm_failures_total",
    "Failed model calls by kind: auth, rate_limit, server_error, rejected, timeout, stall, "
    "connection, stream_error, malformed",
    ["kind"],
)
SKIPPED_CHUNKS = Counter(
    "agent_llm_skipped_chunks_total",
    "Streamed chunks that were valid JSON but not a chunk the agent could read",
)
