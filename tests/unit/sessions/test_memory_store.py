from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest
from parley_sessions import (
    MemorySessionStore,
    Session,
    SessionAlreadyClosedError,
    SessionNotFoundError,
    Turn,
)


async def test_turns_append_in_order_and_close_records_the_reason() -> None:
    store = MemorySessionStore()
    session = await store.create(Session(call_sid="CA1"))
    for n in (1, 2, 3):
        await store.append_turn(
            session.id, Turn(turn_id=n, user_utterance=f"u{n}", agent_response=f"a{n}")
        )
    closed = await store.close(session.id, "completed")
    assert [t.turn_id for t in closed.turns] == [1, 2, 3]
    assert closed.status == "closed" and closed.metadata["closeReason"] == "completed"
    with pytest.raises(SessionAlreadyClosedError):
        await store.close(session.id, "completed")


async def test_unknown_session_update_says_to_create_a_new_one() -> None:
    with pytest.raises(SessionNotFoundError, match="create a new session"):
        await MemorySessionStore().close("nope", "x")


async def test_idle_sessions_are_due_for_expiry() -> None:
    store = MemorySessionStore()
    old = datetime.now(UTC) - timedelta(seconds=120)
    idle = await store.create(Session(call_sid="CA1", ttl=60, last_activity_at=old))
    await store.create(Session(call_sid="CA2", ttl=3600))
    assert await store.expired_ids(datetime.now(UTC)) == [idle.id]


def test_session_json_uses_the_documented_camel_case_fields() -> None:
    session = Session(
        call_sid="CA1", turns=[Turn(turn_id=1, user_utterance="hi", agent_response="hello")]
    )
    wire = orjson.loads(orjson.dumps(session.to_json_dict()))
    assert set(wire) == {
        "sessionId",
        "callSid",
        "mcpEndpoint",
        "sttProvider",
        "ttsProvider",
        "turns",
        "createdAt",
        "lastActivityAt",
        "ttl",
        "metadata",
        "status",
        "version",  # optimistic locking: bumped on every write
    }
    assert set(wire["turns"][0]) == {
        "turnId",
        "userUtterance",
        "agentResponse",
        "timestamp",
        "latencyMs",
        "toolCalls",
    }
    assert Session.model_validate(wire) == session
