from __future__ import annotations

from parley_telemetry import extract_trace_context, inject_trace_context, tracing_enabled

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def test_tracing_is_off_by_default_and_adds_no_headers() -> None:
    assert not tracing_enabled()
    headers: dict[str, str] = {}
    inject_trace_context(headers)
    assert headers == {}
    assert extract_trace_context({"traceparent": TRACEPARENT}) is None
