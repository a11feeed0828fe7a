from __future__ import annotations

from parley_contracts import TurnCompleted
from prometheus_client import Counter, Gauge, Histogram

_MS_BUCKETS = (25, 50, 100, 200, 300, 400, 500, 600, 800, 1000, 1200, 1600, 2400, 5000)

MCP_LATENCY = Histogram("voice_mcp_latency_ms", "Agent tool call round trip", buckets=_MS_BUCKETS)
TURNS = Counter("dialogue_turns_total", "Caller turns by outcome", ["outcome"])
REPLY_READY = Histogram(
    "voice_dialogue_reply_ready_ms",
    "End of caller speech to the reply's sentences published",
    buckets=_MS_BUCKETS,
)
TURN_DURATION = Histogram(
    "voice_turn_duration_ms",
    "End of caller speech to the first agent audio frame sent to the caller",
    buckets=_MS_BUCKETS,
)
TURN_STAGE = Histogram(
    "voice_turn_stage_ms", "Time per stage of a turn", ["stage"], buckets=_MS_BUCKETS
)
BUDGET_EXCEEDED = Counter(
    "voice_latency_budget_exceeded_total",
    "Turns whose stage (or total) ran past its latency budget",
    ["stage"],
)
BARGE_INS = Counter("voice_barge_in_total", "Replies cut short by the caller")
FILLERS = Counter("voice_filler_spoken_total", "Thinking fillers spoken for a slow agent")
AGENT_PROGRESS_IGNORED = Counter(
    "dialogue_agent_progress_ignored_total",
    "Progress notifications from the agent that were no reply delta (ignored)",
)
PREEMPTIVE = Counter(
    "dialogue_preemptive_replies_total",
    "Replies started before the caller's final transcript: started, used, discarded",
    ["outcome"],
)
ACTIVE_CALLS = Gauge("dialogue_active_calls", "Calls this worker is conversing on")


def observe_turn(completed: TurnCompleted) -> None:
    TURN_DURATION.observe(completed.total_ms)
    for stage, ms in completed.stages.items():
        TURN_STAGE.labels(stage=stage).observe(ms)
    for stage in completed.over_budget:
        BUDGET_EXCEEDED.labels(stage=stage).inc()
