"""The Redis session store against a real redis-server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from parley_sessions import (
    CallIndex,
    IndexedCall,
    RedisSessionStore,
    Session,
    SessionAlreadyClosedError,
    SessionNotFoundError,
    Turn,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def store(stack_env: dict[str, str]) -> AsyncIterator[RedisSessionStore]:
    store = RedisSessionStore(stack_env["REDIS_URL"])
    yield store
    await store.close_store()


async def test_create_get_round_trip(store: RedisSessionStore) -> None:
    session = await store.create(Session(call_sid="CA1", metadata={"edgeSlot": 3}))
    loaded = await store.get(session.id)
    assert loaded == session
    assert await store.get("00000000-0000-0000-0000-000000000000") is None


async def test_concurrent_turn_appends_all_land(store: RedisSessionStore) -> None:
    session = await store.create(Session(call_sid="CA2"))
    turns = [Turn(turn_id=n, user_utterance=f"u{n}", agent_response=f"a{n}") for n in range(20)]
    await asyncio.gather(*(store.append_turn(session.id, t) for t in turns))
    loaded = await store.get(session.id)
    assert loaded is not None
    assert sorted(t.turn_id for t in loaded.turns) == list(range(20))


async def test_close_twice_and_unknown_session(store: RedisSessionStore) -> None:
    session = await store.create(Session(call_sid="CA3"))
    closed = await store.close(session.id, "completed")
    assert closed.status == "closed"
    with pytest.raises(SessionAlreadyClosedError):
        await store.close(session.id, "completed")
    with pytest.raises(SessionNotFoundError):
        await store.close("11111111-1111-1111-1111-111111111111", "completed")


async def test_expiry_index_lists_idle_sessions_until_closed(store: RedisSessionStore) -> None:
    idle = await store.create(
        Session(call_sid="CA4", ttl=30, last_activity_at=datetime.now(UTC) - timedelta(minutes=5))
    )
    fresh = await store.create(Session(call_sid="CA5", ttl=3600))
    due = await store.expired_ids(datetime.now(UTC), limit=1000)
    assert idle.id in due and fresh.id not in due
    await store.close(idle.id, "ttl_expired")
    assert idle.id not in await store.expired_ids(datetime.now(UTC), limit=1000)


async def test_call_index_maps_call_sid_to_session(stack_env: dict[str, str]) -> None:
    index = CallIndex(stack_env["REDIS_URL"])
    await index.claim("CA-index", "session-1")
    assert await index.lookup("CA-index") == IndexedCall("session-1", "pending")
    assert await index.lookup("CA-missing") is None
    await index.close()
