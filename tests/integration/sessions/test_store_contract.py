"""One contract, three stores: memory, Redis and PostgreSQL (both real servers)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from parley_sessions import (
    STORAGE_TYPES,
    Session,
    SessionAlreadyClosedError,
    SessionCodec,
    SessionNotFoundError,
    SessionStore,
    StorageType,
    Turn,
    open_session_store,
)

pytestmark = pytest.mark.integration

KEY = Fernet.generate_key().decode()
UNKNOWN = "00000000-0000-0000-0000-000000000000"


def _connection(storage: StorageType, env: dict[str, str]) -> str:
    return {"memory": "", "redis": env["REDIS_URL"], "postgres": env["DATABASE_URL"]}[storage]


@pytest.fixture(params=STORAGE_TYPES)
def storage(request: pytest.FixtureRequest) -> StorageType:
    value: StorageType = request.param
    return value


@pytest.fixture
async def store(storage: StorageType, stack_env: dict[str, str]) -> AsyncIterator[SessionStore]:
    store = open_session_store(storage, _connection(storage, stack_env), SessionCodec([KEY]))
    yield store
    await store.close_store()


def _turn(turn_id: int, text: str = "hello") -> Turn:
    return Turn(turn_id=turn_id, user_utterance=text, agent_response=f"re {text}")


async def test_round_trip_and_unknown_id(store: SessionStore) -> None:
    session = await store.create(Session(call_sid="CA1", metadata={"edgeSlot": 3}))
    assert await store.get(session.id) == session
    assert await store.get(UNKNOWN) is None
    with pytest.raises(SessionNotFoundError, match="create a new session"):
        await store.append_turn(UNKNOWN, _turn(1))


async def test_appends_keep_order_and_bump_the_version(store: SessionStore) -> None:
    session = await store.create(Session(call_sid="CA2"))
    for n in range(3):
        await store.append_turn(session.id, _turn(n))
    loaded = await store.get(session.id)
    assert loaded is not None
    assert [t.turn_id for t in loaded.turns] == [0, 1, 2]
    assert loaded.version == 3


async def test_concurrent_appends_in_one_process_all_land(store: SessionStore) -> None:
    session = await store.create(Session(call_sid="CA3"))
    await asyncio.gather(*(store.append_turn(session.id, _turn(n)) for n in range(10)))
    loaded = await store.get(session.id)
    assert loaded is not None
    assert sorted(t.turn_id for t in loaded.turns) == list(range(10))


async def test_close_twice_is_refused(store: SessionStore) -> None:
    session = await store.create(Session(call_sid="CA4"))
    assert (await store.close(session.id, "completed")).status == "closed"
    with pytest.raises(SessionAlreadyClosedError, match="already closed"):
        await store.close(session.id, "completed")


async def test_expired_and_idle_ids_list_active_sessions_only(store: SessionStore) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=5)
    idle = await store.create(Session(call_sid="CA5", ttl=30, last_activity_at=long_ago))
    fresh = await store.create(Session(call_sid="CA6", ttl=3600))
    now = datetime.now(UTC)
    assert idle.id in await store.expired_ids(now, limit=10_000)
    assert fresh.id not in await store.expired_ids(now, limit=10_000)
    assert idle.id in await store.idle_ids(now - timedelta(hours=1), limit=10_000)
    assert fresh.id not in await store.idle_ids(now - timedelta(hours=1), limit=10_000)
    await store.close(idle.id, "ttl_expired")
    assert idle.id not in await store.expired_ids(now, limit=10_000)


@pytest.mark.parametrize("storage", ["redis", "postgres"])
async def test_two_processes_appending_lose_nothing(
    storage: StorageType, store: SessionStore, stack_env: dict[str, str], repo_root: Path
) -> None:
    session = await store.create(Session(call_sid="CA7"))
    args = [storage, _connection(storage, stack_env), KEY, session.id]
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.integration.sessions.append_worker",
            *args,
            str(first),
            "15",
            cwd=repo_root,
        )
        for first in (0, 100)
    ]
    assert [await worker.wait() for worker in workers] == [0, 0]
    loaded = await store.get(session.id)
    assert loaded is not None
    ids = [t.turn_id for t in loaded.turns]
    assert sorted(ids) == [*range(15), *range(100, 115)]
    # Each writer's own turns stay in the order it appended them.
    assert [i for i in ids if i < 100] == list(range(15))
    assert loaded.version == 30


@pytest.mark.parametrize("storage", ["redis", "postgres"])
async def test_conversation_text_is_encrypted_at_rest(
    storage: StorageType, store: SessionStore, stack_env: dict[str, str]
) -> None:
    session = await store.create(Session(call_sid="CA8"))
    await store.append_turn(session.id, _turn(1, "my secret account number"))
    reader = open_session_store(storage, _connection(storage, stack_env), SessionCodec())
    try:
        with pytest.raises(Exception, match="encrypted but no key"):
            await reader.get(session.id)
    finally:
        await reader.close_store()
    rotated = SessionCodec([Fernet.generate_key().decode(), KEY])
    reader = open_session_store(storage, _connection(storage, stack_env), rotated)
    try:
        loaded = await reader.get(session.id)
    finally:
        await reader.close_store()
    assert loaded is not None
    assert loaded.turns[0].user_utterance == "my secret account number"


@pytest.mark.parametrize("storage", ["memory", "postgres"])
async def test_purge_deletes_sessions_closed_long_enough_ago(store: SessionStore) -> None:
    old = await store.create(Session(call_sid="CA9"))
    await store.close(old.id, "completed")
    active = await store.create(
        Session(call_sid="CA10", last_activity_at=datetime.now(UTC) - timedelta(hours=2))
    )
    assert await store.purge(datetime.now(UTC) + timedelta(seconds=1)) >= 1
    assert await store.get(old.id) is None
    assert await store.get(active.id) is not None
