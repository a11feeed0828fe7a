"""A turn keeps what the agent's tools returned, as text and bounded in size."""

from __future__ import annotations

from parley_sessions import Turn
from parley_sessions.model import MAX_TOOL_RESULT_CHARS, ToolCall


def test_a_tool_result_is_kept_as_text_and_cut_to_its_bound() -> None:
    assert ToolCall.reported("hours.lookup", {}, "nine to five").result == "nine to five"
    assert ToolCall.reported("hours.lookup", {}, {"open": 9}).result == '{"open": 9}'
    long = ToolCall.reported("docs.read", {}, "x" * 10_000).result
    assert long is not None and len(long) == MAX_TOOL_RESULT_CHARS


def test_a_call_without_a_result_reads_and_writes_as_before() -> None:
    call = ToolCall.reported("calendar.book", {"day": "monday"}, None)
    assert call.model_dump(by_alias=True) == {
        "name": "calendar.book",
        "arguments": {"day": "monday"},
    }
    old = Turn.model_validate(
        {
            "turnId": 1,
            "userUtterance": "hi",
            "agentResponse": "hello",
            "toolCalls": [{"name": "calendar.book", "arguments": {}}],
        }
    )
    assert old.tool_calls is not None and old.tool_calls[0].result is None
