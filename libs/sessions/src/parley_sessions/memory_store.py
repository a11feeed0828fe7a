"""A single-process store for tests and one-box runs."""

from __future__ import annotations

import asyncio
from datetime import datetime

from parley_sessions.errors import SessionNotFoundError
from parley_sessions.model import Session
from parley_sessions.store import Mutation, SessionStore, next_version


class MemorySessionStore(SessionStore):
    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._lock = asyncio.Lock()

    async def create(self, session: Session) -> Session:
        async with self._lock:
            self._sessions[session.id] = session
        return session

    async def get(self, session_id: str) -> Session | None:
        return self._sessions.get(session_id)

    async def update(self, session_id: str, mutate: Mutation) -> Session:
        async with self._lock:
            current = self._sessions.get(session_id)
            if current is None:
                raise SessionNotFoundError(session_id)
            updated = next_version(mutate(current))
            self._sessions[session_id] = updated
            return updated

    async def expired_ids(self, now: datetime, limit: int = 100) -> list[str]:
        due = [
            s.id for s in self._sessions.values() if s.status == "active" and s.expires_at() <= now
        ]
        return due[:limit]

    async def idle_ids(self, before: datetime, limit: int = 100) -> list[str]:
        due = [
            s.id
            for s in self._sessions.values()
            if s.status == "active" and s.last_activity_at <= before
        ]
        return due[:limit]

    async def purge(self, before: datetime) -> int:
        async with self._lock:
            gone = [
                s.id
                for s in self._sessions.values()
                if s.status == "closed" and s.last_activity_at <= before
            ]
            for session_id in gone:
                del self._sessions[session_id]
        return len(gone)

    async def ping(self) -> None:
        return None
