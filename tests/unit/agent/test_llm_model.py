"""Reading streamed chunks: text and tool-call fragments assembled, usage kept, chunks of
the wrong shape skipped instead of ending the turn."""

from __future__ import annotations

from typing import Any

from openai.types.chat import ChatCompletionChunk
from parley_agent.llm.model import Assembly, read_chunk


def chunk(
    choices: list[dict[str, Any]], usage: dict[str, int] | None = None
) -> ChatCompletionChunk:
    return ChatCompletionChunk.model_validate(
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "m",
            "choices": choices,
            "usage": usage,
        }
    )


def delta(**fields: Any) -> dict[str, Any]:
    return {"index": 0, "delta": fields, "finish_reason": None}


def test_text_and_tool_call_fragments_are_assembled() -> None:
    assembly = Assembly()
    pieces = [
        read_chunk(chunk([delta(role="assistant", content="")]), assembly),
        read_chunk(chunk([delta(content="Let me")]), assembly),
        read_chunk(chunk([delta(content=" check.")]), assembly),
        read_chunk(
            chunk(
                [
                    delta(
                        tool_calls=[
                            {
                                "index": 0,
                                "id": "call_9",
                                "type": "function",
                                "function": {"name": "lookup", "arguments": ""},
                            }
                        ]
                    )
                ]
            ),
            assembly,
        ),
        read_chunk(
            chunk([delta(tool_calls=[{"index": 0, "function": {"arguments": '{"day": '}}])]),
            assembly,
        ),
        read_chunk(
            chunk([delta(tool_calls=[{"index": 0, "function": {"arguments": '"mon"}'}}])]), assembly
        ),
        read_chunk(
            chunk([], {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}), assembly
        ),
    ]
    assert pieces == ["", "Let me", " check.", "", "", "", ""]
    answer = assembly.answer()
    assert answer.text == "Let me check."
    assert [(c.id, c.name, c.arguments) for c in answer.calls] == [
        ("call_9", "lookup", '{"day": "mon"}')
    ]
    assert answer.usage is not None and answer.usage.prompt_tokens == 7


def test_a_chunk_of_the_wrong_shape_is_skipped() -> None:
    assembly = Assembly()
    odd = ChatCompletionChunk.model_construct(choices=[{"delta": None}], usage=None)
    assert read_chunk(odd, assembly) == ""
    assert read_chunk(chunk([delta(content="Still here.")]), assembly) == "Still here."
    assert assembly.answer().text == "Still here."


def test_a_call_without_an_id_gets_one_its_result_can_name() -> None:
    assembly = Assembly()
    read_chunk(
        chunk([delta(tool_calls=[{"index": 0, "function": {"name": "end_call"}}])]), assembly
    )
    assert assembly.answer().calls[0].id == "call_0"
