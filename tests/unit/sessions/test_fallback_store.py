"""The outage fallback's bookkeeping, over a memory store that can be switched off."""

from __future__ import annotations

from datetime import datetime

import pytest
from parley_sessions import (
    FallbackSessionStore,
    MemorySessionStore,
    Session,
    SessionStoreUnavailableError,
    Turn,
)
from parley_sessions.store import Mutation


class SwitchableStore(MemorySessionStore):
    """A memory store that refuses every call while ``down``."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise SessionStoreUnavailableError("switched off by the test")

    async def create(self, session: Session) -> Session:
        self._check()
        return await super().create(session)

    async def get(self, session_id: str) -> Session | None:
        self._check()
        return await super().get(session_id)

    async def update(self, session_id: str, mutate: Mutation) -> Session:
        self._check()
        return await super().update(session_id, mutate)

    async def expired_ids(self, now: datetime, limit: int = 100) -> list[str]:
        self._check()
        return await super().expired_ids(now, limit)


def _turn(turn_id: int) -> Turn:
    return Turn(turn_id=turn_id, user_utterance=f"u{turn_id}", agent_response="a")


async def test_changes_made_meanwhile_elsewhere_are_kept_on_replay() -> None:
    primary = SwitchableStore()
    store = FallbackSessionStore(primary, attempts=1, reconcile_interval_s=3600)
    try:
        session = await store.create(Session(call_sid="CA1"))
        primary.down = True
        await store.append_turn(session.id, _turn(1))
        primary.down = False
        # Another process wrote to the store before this one could replay.
        await primary.append_turn(session.id, _turn(2))
        assert await store.reconcile() == 1
        loaded = await primary.get(session.id)
        assert loaded is not None
        assert [t.turn_id for t in loaded.turns] == [2, 1]
    finally:
        await store.close_store()


async def test_a_change_to_a_session_closed_meanwhile_is_dropped_not_stuck() -> None:
    primary = SwitchableStore()
    store = FallbackSessionStore(primary, attempts=1, reconcile_interval_s=3600)
    try:
        session = await store.create(Session(call_sid="CA2"))
        primary.down = True
        await store.append_turn(session.id, _turn(1))
        primary.down = False
        await primary.close(session.id, "completed")
        await store.close(session.id, "completed")  # queued behind the turn; replays closed
        assert await store.reconcile() == 1
        assert store.pending_sessions == 0
    finally:
        await store.close_store()


async def test_reconcile_while_still_down_keeps_the_queue() -> None:
    primary = SwitchableStore()
    store = FallbackSessionStore(primary, attempts=1, reconcile_interval_s=3600)
    try:
        session = await store.create(Session(call_sid="CA3"))
        primary.down = True
        await store.append_turn(session.id, _turn(1))
        with pytest.raises(SessionStoreUnavailableError):
            await store.reconcile()
        assert store.pending_sessions == 1
        primary.down = False
    finally:
        await store.close_store()
    loaded = await primary.get(session.id)
    assert loaded is not None and [t.turn_id for t in loaded.turns] == [1]
