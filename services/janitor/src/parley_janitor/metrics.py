"""Session metrics. The catalogue names them voice.session.*; Prometheus spells the dots
as underscores (voice_session_active, voice_session_created_total, ...)."""

from __future__ import annotations

from parley_sessions import Session
from prometheus_client import Counter, Gauge, Histogram

SESSIONS_CREATED = Counter("janitor_sessions_created_total", "Sessions created")
SESSIONS_CLOSED = Counter("janitor_sessions_closed_total", "Sessions closed", ["reason"])
SWEEP_ERRORS = Counter("janitor_sweep_errors_total", "Expiry sweeps that failed")
LAST_SWEEP = Gauge("janitor_last_sweep_timestamp_seconds", "When the last expiry sweep finished")
CLOSE_FAILURES = Counter(
    "janitor_close_failures_total",
    "Sessions an expiry sweep or cleanup could not close, announce or hang up (passed over)",
    ["step"],
)
INVALID_EDGE_SLOTS = Counter(
    "janitor_invalid_edge_slots_total",
    "call.started events naming an edge slot the control topic does not have (no session)",
)

ACTIVE = Gauge("voice_session_active", "Sessions this janitor opened and has not yet seen close")
CREATED = Counter("voice_session_created", "Sessions created")
CLOSED = Counter("voice_session_closed", "Sessions closed", ["reason"])
TIMEOUT = Counter("voice_session_timeout", "Sessions closed for idling past their TTL")
TURN_COUNT = Histogram(
    "voice_session_turn_count",
    "Turns in a session when it closed",
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200),
)
DURATION = Histogram(
    "voice_session_duration_seconds",
    "Session length from creation to close",
    buckets=(5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200),
)


def session_created() -> None:
    SESSIONS_CREATED.inc()
    CREATED.inc()
    ACTIVE.inc()


def session_closed(session: Session, reason: str) -> None:
    SESSIONS_CLOSED.labels(reason=reason).inc()
    CLOSED.labels(reason=reason).inc()
    if reason == "ttl_expired":
        TIMEOUT.inc()
    ACTIVE.dec()
    TURN_COUNT.observe(len(session.turns))
    DURATION.observe((session.last_activity_at - session.created_at).total_seconds())
