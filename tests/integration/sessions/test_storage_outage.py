"""Redis stops mid-call: the call's session keeps taking turns from memory, and every
turn taken during the outage is in Redis after it returns."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from parley_devstack.local_redis import LocalRedis
from parley_sessions import (
    CallIndex,
    FallbackSessionStore,
    RedisSessionStore,
    Session,
    SessionStoreUnavailableError,
    Turn,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[LocalRedis]:
    server = LocalRedis(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def primary(redis: LocalRedis) -> AsyncIterator[RedisSessionStore]:
    store = RedisSessionStore(redis.url)
    yield store
    await store.close_store()


def _turn(turn_id: int) -> Turn:
    return Turn(turn_id=turn_id, user_utterance=f"said {turn_id}", agent_response="ok")


async def _eventually_turns(store: RedisSessionStore, session_id: str, expected: list[int]) -> None:
    seen: list[int] | None = None
    for _ in range(200):
        try:
            session = await store.get(session_id)
        except SessionStoreUnavailableError:
            session = None
        seen = None if session is None else [t.turn_id for t in session.turns]
        if seen == expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"Redis holds turns {seen}, expected {expected}")


async def test_turns_taken_during_an_outage_reach_redis_after_it_returns(
    redis: LocalRedis, primary: RedisSessionStore
) -> None:
    store = FallbackSessionStore(
        RedisSessionStore(redis.url), attempts=2, backoff_s=0.01, reconcile_interval_s=0.1
    )
    try:
        call = await store.create(Session(call_sid="CA-outage"))
        await store.append_turn(call.id, _turn(0))

        await asyncio.to_thread(redis.stop)
        with pytest.raises(SessionStoreUnavailableError):
            await primary.get(call.id)
        await store.append_turn(call.id, _turn(1))  # the call keeps working
        await store.append_turn(call.id, _turn(2))
        during = await store.get(call.id)
        assert during is not None and [t.turn_id for t in during.turns] == [0, 1, 2]
        new_call = await store.create(Session(call_sid="CA-new"))
        await store.append_turn(new_call.id, _turn(0))
        assert store.pending_sessions == 2

        # Redis comes back empty (it keeps nothing on disk): both sessions are written back.
        await asyncio.to_thread(redis.start)
        await _eventually_turns(primary, call.id, [0, 1, 2])
        await _eventually_turns(primary, new_call.id, [0])
        assert store.pending_sessions == 0

        await store.append_turn(call.id, _turn(3))  # straight to Redis again
        await _eventually_turns(primary, call.id, [0, 1, 2, 3])
    finally:
        await store.close_store()


async def test_a_session_never_seen_is_still_an_outage_error(
    redis: LocalRedis, primary: RedisSessionStore
) -> None:
    store = FallbackSessionStore(RedisSessionStore(redis.url), attempts=2, backoff_s=0.01)
    try:
        await asyncio.to_thread(redis.stop)
        with pytest.raises(SessionStoreUnavailableError):
            await store.get("00000000-0000-0000-0000-000000000000")
    finally:
        await store.close_store()


async def test_first_commands_after_a_redis_restart_succeed(
    redis: LocalRedis, primary: RedisSessionStore
) -> None:
    """Pooled connections die with the server; the first command on each must not fail
    (the janitor's close of a call that ended just after Redis came back)."""
    index = CallIndex(redis.url)
    try:
        call = await primary.create(Session(call_sid="CA-restart"))
        await index.claim("CA-restart", call.id)

        await asyncio.to_thread(redis.stop)
        await asyncio.to_thread(redis.start)

        assert await primary.get(call.id) is None  # Redis came back empty, and said so
        assert await index.lookup("CA-restart") is None
        await primary.create(call)
        closed = await primary.close(call.id, "caller_hung_up")
        assert closed.status == "closed"
    finally:
        await index.close()
