from __future__ import annotations

from prometheus_client import Counter, Gauge

SESSIONS_CREATED = Counter("janitor_sessions_created_total", "Sessions created")
SESSIONS_CLOSED = Counter("janitor_sessions_closed_total", "Sessions closed", ["reason"])
SWEEP_ERRORS = Counter("janitor_sweep_errors_total", "Expiry sweeps that failed")
LAST_SWEEP = Gauge("janitor_last_sweep_timestamp_seconds", "When the last expiry sweep finished")
