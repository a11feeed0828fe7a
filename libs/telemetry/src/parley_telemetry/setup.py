"""Turning tracing on from the standard OpenTelemetry environment variables.

Off unless `OTEL_TRACES_EXPORTER` names an exporter (`otlp` or `console`): then spans go
to `OTEL_EXPORTER_OTLP_ENDPOINT` (OTLP over HTTP) or stdout. Off means the API's no-op
tracer and no trace headers on Kafka messages, so it costs nothing.
"""

from __future__ import annotations

import logging
import os
from contextlib import nullcontext
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
)

log = logging.getLogger(__name__)
_state = {"enabled": False}


class UnknownTraceExporterError(ValueError):
    pass


def tracing_enabled() -> bool:
    return _state["enabled"]


def _otlp_protocol() -> str:
    for variable in ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"):
        value = os.environ.get(variable, "").strip()
        if value:
            return value
    return "http/protobuf"


def _exporter(name: str) -> SpanExporter:
    if name == "otlp":
        protocol = _otlp_protocol()
        if protocol != "http/protobuf":
            raise UnknownTraceExporterError(
                f"OTLP protocol {protocol!r} is not supported; Parley exports OTLP over HTTP "
                "(http/protobuf): unset OTEL_EXPORTER_OTLP_PROTOCOL and point "
                "OTEL_EXPORTER_OTLP_ENDPOINT at the collector's HTTP port (usually 4318)"
            )
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    if name == "console":
        return ConsoleSpanExporter()
    raise UnknownTraceExporterError(
        f"OTEL_TRACES_EXPORTER={name!r} is not supported; use otlp, console or none"
    )


def configure_tracing(service: str) -> bool:
    """Install the SDK tracer provider if tracing is configured; True when it is on."""
    name = os.environ.get("OTEL_TRACES_EXPORTER", "none").strip().lower()
    if name in ("", "none") or _state["enabled"]:
        return _state["enabled"]
    # Each service names itself (parley-edge, parley-stt, ...) over OTEL_SERVICE_NAME, so
    # one shared environment still yields per-service traces.
    resource = Resource.create({SERVICE_NAME: f"parley-{service}"})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(_exporter(name)))
    trace.set_tracer_provider(provider)
    _state["enabled"] = True
    log.info("tracing on", extra={"event": "telemetry.on", "exporter": name})
    return True


def shutdown_tracing() -> None:
    """Flush spans still buffered (call on service shutdown)."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.shutdown()


class _OffTracer(trace.NoOpTracer):
    """The tracer while tracing is off: a span is not even made current, which the API's
    no-op tracer still does (a context switch per span)."""

    def start_as_current_span(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return _NO_SPAN


_NO_SPAN = nullcontext(trace.INVALID_SPAN)
_OFF_TRACER = _OffTracer()


def tracer() -> trace.Tracer:
    if not _state["enabled"]:
        return _OFF_TRACER
    return trace.get_tracer("parley")
