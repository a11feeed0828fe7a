"""W3C trace context in Kafka headers, so one caller turn is one trace across services."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, MutableMapping

from opentelemetry import context as otel_context
from opentelemetry.context import Context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from parley_telemetry.setup import tracing_enabled

_PROPAGATOR = TraceContextTextMapPropagator()


def inject_trace_context(headers: MutableMapping[str, str]) -> None:
    """Add `traceparent` (and `tracestate`) for the current span, when tracing is on."""
    if tracing_enabled():
        _PROPAGATOR.inject(headers)


def extract_trace_context(headers: Mapping[str, str | bytes] | None) -> Context | None:
    if not tracing_enabled() or not headers or "traceparent" not in headers:
        return None
    carrier = {
        key: value.decode() if isinstance(value, bytes) else value
        for key, value in headers.items()
        if key in ("traceparent", "tracestate")
    }
    return _PROPAGATOR.extract(carrier)


def traced_job(
    headers: Mapping[str, str | bytes] | None, job: Callable[[], Awaitable[None]]
) -> Callable[[], Awaitable[None]]:
    """`job`, run inside the trace context carried by a message's headers (if any)."""
    parent = extract_trace_context(headers)
    if parent is None:
        return job

    async def run() -> None:
        token = otel_context.attach(parent)
        try:
            await job()
        finally:
            otel_context.detach(token)

    return run
