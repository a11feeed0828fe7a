"""What Parley sends a v1 and a v2 tool, and how it reads a v2 tool's progress messages."""

from __future__ import annotations

import orjson
import pytest
from parley_agent_client import AgentReply, AgentRequest, complete_length, parse_reply_delta


def delta(**fields: object) -> str:
    return orjson.dumps(fields).decode()


def test_a_reply_delta_gives_its_text_exactly() -> None:
    assert parse_reply_delta(delta(v=2, type="reply.delta", text=" at nine. ")) == " at nine. "


@pytest.mark.parametrize(
    "message",
    [
        None,
        "",
        "50% done",
        "{not json",
        '["reply.delta"]',
        delta(v=2, type="reply.started", text="x"),
        delta(v=1, type="reply.delta", text="x"),
        delta(v=True, type="reply.delta", text="x"),
        delta(v="2", type="reply.delta", text="x"),
        delta(v=2, type="reply.delta", text=3),
        delta(v=2, type="reply.delta"),
    ],
)
def test_anything_else_is_no_reply_delta(message: str | None) -> None:
    assert parse_reply_delta(message) is None


def test_a_v1_tool_is_sent_no_v2_fields() -> None:
    request = AgentRequest(
        session_id="s", event="utterance", utterance="hi", turn_id=3, speculative=True
    )
    assert request.arguments() == {
        "sessionId": "s",
        "event": "utterance",
        "utterance": "hi",
        "context": [],
    }
    v2 = request.arguments(2)
    assert (v2["contract"], v2["turnId"], v2["speculative"]) == (2, 3, True)


def test_usage_is_read_from_the_result_and_optional() -> None:
    reply = AgentReply.model_validate(
        {"reply": "Hi.", "usage": {"promptTokens": 120, "completionTokens": 9}}
    )
    assert reply.usage is not None
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (120, 9)
    assert AgentReply.model_validate({"reply": "Hi."}).usage is None


@pytest.mark.parametrize(
    ("text", "whole"),
    [
        ("On Monday we open", ""),
        ("On Monday we open at nine.", ""),  # the next piece may go on: "nine.30"
        ("On Monday we open at nine. We", "On Monday we open at nine. "),
        ("Sure! Ask Dr. ", "Sure! "),  # an abbreviation's full stop ends nothing
        ("Hours\nMonday", "Hours\n"),  # a line is spoken as a sentence
        ("What? Really?  Yes", "What? Really?  "),
    ],
)
def test_the_whole_sentences_of_a_reply_still_being_written(text: str, whole: str) -> None:
    assert text[: complete_length(text)] == whole
