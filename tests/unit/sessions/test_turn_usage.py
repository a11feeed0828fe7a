"""A turn's token usage: stored in camelCase when the agent reported it, absent otherwise,
and turns written before it existed still read."""

from __future__ import annotations

import orjson
from parley_sessions import Session, SessionCodec, TokenUsage, Turn


def test_usage_is_kept_in_camel_case_and_left_out_when_unknown() -> None:
    with_usage = Turn(
        turn_id=1,
        user_utterance="hi",
        agent_response="Hello.",
        usage=TokenUsage(prompt_tokens=120, completion_tokens=9),
    )
    without = Turn(turn_id=2, user_utterance="bye", agent_response="Bye.")
    stored = Session(call_sid="CA1", turns=[with_usage, without]).to_json_dict()["turns"]
    assert stored[0]["usage"] == {"promptTokens": 120, "completionTokens": 9}
    assert "usage" not in stored[1]


def test_a_session_written_before_usage_existed_reads() -> None:
    old = {
        "callSid": "CA1",
        "turns": [
            {
                "turnId": 1,
                "userUtterance": "hi",
                "agentResponse": "Hello.",
                "timestamp": "2026-01-01T00:00:00Z",
                "latencyMs": 420.0,
                "toolCalls": None,
            }
        ],
    }
    session = SessionCodec().decode(orjson.dumps(old))
    assert session.turns[0].usage is None
    again = SessionCodec().decode(SessionCodec().encode(session))
    assert again.turns[0] == session.turns[0]
