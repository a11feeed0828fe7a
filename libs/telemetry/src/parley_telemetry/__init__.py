"""Tracing for Parley (off unless OTEL_TRACES_EXPORTER is set)."""

from parley_telemetry.propagation import extract_trace_context, inject_trace_context, traced_job
from parley_telemetry.setup import (
    UnknownTraceExporterError,
    configure_tracing,
    shutdown_tracing,
    tracer,
    tracing_enabled,
)

__all__ = [
    "UnknownTraceExporterError",
    "configure_tracing",
    "extract_trace_context",
    "inject_trace_context",
    "shutdown_tracing",
    "traced_job",
    "tracer",
    "tracing_enabled",
]
