"""The PostgreSQL session store against a real server: what the generic contract
(test_store_contract.py) cannot see, and everything the dialogue service does to a turn."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import psycopg
import pytest
from parley_agent_client import AgentReply, AgentToolCall
from parley_contracts import TurnCompleted
from parley_dialogue.conversation import ConversationRecorder
from parley_dialogue.speaker import SpokenReply
from parley_sessions import (
    HistoryWindow,
    PostgresSessionStore,
    Session,
    SessionCodec,
    SessionNotFoundError,
    Turn,
)
from parley_sessions.postgres_store import SELECT_RECORD

pytestmark = pytest.mark.integration


@pytest.fixture
async def store(stack_env: dict[str, str]) -> AsyncIterator[PostgresSessionStore]:
    store = PostgresSessionStore(stack_env["DATABASE_URL"], SessionCodec())
    await store.ping()  # creates the table
    yield store
    await store.close_store()


async def test_a_session_is_read_through_its_primary_key(
    store: PostgresSessionStore, stack_env: dict[str, str]
) -> None:
    # With sequential scans priced out, only a lookup the index can serve avoids one.
    async with await psycopg.AsyncConnection.connect(stack_env["DATABASE_URL"]) as conn:
        await conn.execute("SET enable_seqscan = off")
        cursor = await conn.execute("EXPLAIN " + SELECT_RECORD, {"id": uuid.uuid4()})
        plan = " ".join(str(row[0]) for row in await cursor.fetchall())
    assert "parley_sessions_pkey" in plan, plan


async def test_an_id_that_is_no_uuid_is_no_session(store: PostgresSessionStore) -> None:
    assert await store.get("not-a-session") is None
    with pytest.raises(SessionNotFoundError, match="create a new session"):
        await store.append_turn(
            "not-a-session", Turn(turn_id=1, user_utterance="a", agent_response="b")
        )


async def test_every_change_the_dialogue_makes_to_a_turn_is_kept(
    store: PostgresSessionStore,
) -> None:
    session = await store.create(Session(call_sid="CA" + uuid.uuid4().hex))
    recorder = ConversationRecorder(store, HistoryWindow(20, 4000, True))
    reply = AgentReply(
        reply="Booked.", tool_calls=[AgentToolCall(name="book", arguments={"day": "monday"})]
    )
    spoken = SpokenReply("Booked.", warnings=["markdown"])
    await recorder.record(session.id, 1, "book monday", spoken, reply, 420.0, interrupted=False)
    await recorder.record(
        session.id,
        2,
        "thanks",
        SpokenReply("Bye."),
        AgentReply(reply="Bye."),
        None,
        interrupted=False,
    )
    await recorder.mark_interrupted(session.id, 1)
    await recorder.record_latency(
        TurnCompleted(session_id=session.id, turn_id=2, total_ms=610.0, stages={"agent": 300.0})
    )
    stored = await store.get(session.id)
    assert stored is not None
    first, second = stored.turns
    assert (first.turn_id, first.user_utterance, first.agent_response) == (
        1,
        "book monday",
        "Booked.",
    )
    assert first.tool_calls and first.tool_calls[0].arguments == {"day": "monday"}
    assert first.warnings == ["markdown"] and first.interrupted is True
    assert first.latency_ms == 420.0 and first.latency_stages is None
    assert second.latency_ms == 610.0 and second.latency_stages == {"agent": 300.0}
    assert stored.version == session.version + 4
