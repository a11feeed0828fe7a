"""Tracing configuration from the standard OTEL_* variables: wrong values fail loudly."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from parley_telemetry import (
    UnknownTraceExporterError,
    configure_tracing,
    tracer,
    tracing_enabled,
)


def test_no_exporter_means_tracing_stays_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "none")
    assert configure_tracing("stt") is False
    assert not tracing_enabled()


def test_an_unknown_exporter_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "jaeger")
    with pytest.raises(UnknownTraceExporterError, match="use otlp, console or none"):
        configure_tracing("stt")
    assert not tracing_enabled()


def test_otlp_over_grpc_is_refused_with_the_port_to_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    with pytest.raises(UnknownTraceExporterError, match="4318"):
        configure_tracing("stt")
    assert not tracing_enabled()


def test_spans_while_off_are_nothing_at_all() -> None:
    assert not tracing_enabled()
    with tracer().start_as_current_span("stt.utterance", attributes={"a": 1}) as span:
        assert span is trace.INVALID_SPAN
        assert not span.is_recording()
        span.add_event("first_byte")  # callers may still use the span's API
        assert trace.get_current_span() is trace.INVALID_SPAN
