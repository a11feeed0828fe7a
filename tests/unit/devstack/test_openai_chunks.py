"""The OpenAI fake's chunks: shaped as OpenAI streams them, pieces that add up exactly."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from parley_devstack.fakes.openai.chunks import ChunkBuilder, ToolCall, Usage, sse, tokens

BUILDER = ChunkBuilder("chatcmpl-1", "fake-model", 1_700_000_000)


@given(st.text())
def test_tokens_concatenate_into_the_text(text: str) -> None:
    assert "".join(tokens(text)) == text


def test_long_words_are_cut_into_several_tokens() -> None:
    assert tokens("Hello wonderful") == ["Hell", "o", " wond", "erfu", "l"]


def test_every_chunk_carries_the_completion_identity_and_no_usage() -> None:
    for chunk in (BUILDER.role(), BUILDER.content("Hi"), BUILDER.finish("stop")):
        assert chunk["id"] == "chatcmpl-1" and chunk["model"] == "fake-model"
        assert chunk["object"] == "chat.completion.chunk" and chunk["usage"] is None
    assert BUILDER.role()["choices"][0]["delta"]["role"] == "assistant"
    assert BUILDER.finish("stop")["choices"][0] == {
        "index": 0,
        "delta": {},
        "finish_reason": "stop",
        "logprobs": None,
    }


def test_tool_call_fragments_name_the_call_once_and_merge_into_its_arguments() -> None:
    calls = [
        ToolCall("calendar_lookup", json.dumps({"day": "monday", "slot": "ten"}), "call_1"),
        ToolCall("end_call", "{}", "call_2"),
    ]
    chunks = BUILDER.tool_call_chunks(calls)
    fragments = [c["choices"][0]["delta"]["tool_calls"][0] for c in chunks]
    merged: dict[int, dict[str, str]] = {}
    for fragment in fragments:
        entry = merged.setdefault(fragment["index"], {"name": "", "arguments": "", "id": ""})
        entry["id"] += fragment.get("id", "")
        entry["name"] += fragment["function"].get("name", "")
        entry["arguments"] += fragment["function"]["arguments"]
    assert merged == {
        0: {"id": "call_1", "name": "calendar_lookup", "arguments": calls[0].arguments},
        1: {"id": "call_2", "name": "end_call", "arguments": "{}"},
    }
    assert sum(1 for f in fragments if "id" in f) == 2
    assert len(fragments) > 3  # the long arguments came in pieces


def test_usage_chunk_has_no_choices_and_the_totals() -> None:
    chunk = BUILDER.usage(Usage(prompt_tokens=9, completion_tokens=5))
    assert chunk["choices"] == []
    assert chunk["usage"] == {"prompt_tokens": 9, "completion_tokens": 5, "total_tokens": 14}


def test_non_streamed_completion_holds_the_tool_calls_and_their_finish_reason() -> None:
    body = BUILDER.completion(None, [ToolCall("end_call", "{}", "call_9")], Usage(3, 2))
    choice = body["choices"][0]
    assert body["object"] == "chat.completion" and choice["finish_reason"] == "tool_calls"
    assert choice["message"]["tool_calls"][0]["function"] == {"name": "end_call", "arguments": "{}"}
    assert BUILDER.completion("Hi.", [], Usage(3, 2))["choices"][0]["finish_reason"] == "stop"


def test_server_sent_event_framing() -> None:
    assert sse("[DONE]") == b"data: [DONE]\n\n"
