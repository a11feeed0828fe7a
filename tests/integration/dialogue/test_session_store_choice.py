"""The janitor and the dialogue service read one session-store setting: with PostgreSQL
chosen, dialogue finds the session the janitor created there and records its turns."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from parley_contracts import CALL_EVENTS, PlaybackStarted
from parley_janitor.settings import JanitorSettings
from parley_sessions import PostgresSessionStore, Session, SessionStore

from tests.integration.dialogue.harness import SLOT, converse, dialogue_with_agent
from tests.support.mcp_agents import EchoAgent

pytestmark = pytest.mark.integration


def postgres_choice(env: dict[str, str]) -> dict[str, Any]:
    return {"session_store": "postgres", "database_url": env["DATABASE_URL"]}


async def turns_with_latency(store: SessionStore, session_id: str, count: int) -> Session:
    """The session once it holds `count` turns, the last with its measured latency."""
    deadline = asyncio.get_running_loop().time() + 10
    while True:
        session = await store.get(session_id)
        if session and len(session.turns) == count and session.turns[-1].latency_stages:
            return session
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the janitor's store holds {session}")
        await asyncio.sleep(0.05)


async def test_dialogue_records_turns_in_the_postgres_session_the_janitor_created(
    stack_env: dict[str, str],
) -> None:
    choice = postgres_choice(stack_env)
    janitor_settings = JanitorSettings.model_validate(
        {"redis_url": stack_env["REDIS_URL"], **choice}
    )
    janitor_store = janitor_settings.open_session_store()
    assert isinstance(janitor_store, PostgresSessionStore)
    session = await janitor_store.create(Session(call_sid="CA" + uuid.uuid4().hex))
    try:
        async with dialogue_with_agent(stack_env, EchoAgent(), **choice) as harness:
            await harness.announce_call(session, SLOT)
            await converse(harness, session.id, ["one", "two"])
            await harness.send(
                CALL_EVENTS,
                PlaybackStarted(session_id=session.id, turn_id=2, first_frame_at=datetime.now(UTC)),
            )
            recorded = await turns_with_latency(janitor_store, session.id, 2)
    finally:
        await janitor_store.close_store()
    assert [t.turn_id for t in recorded.turns] == [1, 2]
    assert [t.user_utterance for t in recorded.turns] == ["one", "two"]
    assert [t.agent_response for t in recorded.turns] == ["You said one.", "You said two."]
    assert recorded.turns[0].tool_calls and recorded.turns[0].tool_calls[0].name == "lookup"
    assert recorded.turns[1].latency_stages and "agent" in recorded.turns[1].latency_stages
    assert recorded.version > session.version
