"""The store interface and the operations every backend shares."""

from __future__ import annotations

import abc
from collections.abc import Callable
from datetime import UTC, datetime

from parley_sessions.errors import SessionAlreadyClosedError
from parley_sessions.model import Session, Turn

Mutation = Callable[[Session], Session]


def next_version(session: Session) -> Session:
    """The written form of an update: one version past the one it was based on."""
    return session.model_copy(update={"version": session.version + 1})


class SessionStore(abc.ABC):
    """Where sessions live. Backends implement the five primitives; the rest is shared."""

    @abc.abstractmethod
    async def create(self, session: Session) -> Session: ...

    @abc.abstractmethod
    async def get(self, session_id: str) -> Session | None: ...

    @abc.abstractmethod
    async def update(self, session_id: str, mutate: Mutation) -> Session:
        """Apply ``mutate`` atomically (optimistic locking, retried on conflict)."""

    @abc.abstractmethod
    async def expired_ids(self, now: datetime, limit: int = 100) -> list[str]:
        """Active sessions idle for longer than their TTL."""

    @abc.abstractmethod
    async def idle_ids(self, before: datetime, limit: int = 100) -> list[str]:
        """Active sessions whose last activity is at or before ``before``."""

    @abc.abstractmethod
    async def ping(self) -> None:
        """Raise if the backend is unreachable."""

    async def check_access(self) -> None:  # noqa: B027 - optional hook, nothing to check by default
        """At start-up: raise if the backend refuses this process's login or rights (an
        unreachable backend is tolerated; :meth:`ping` reports it)."""

    async def purge(self, before: datetime) -> int:
        """Delete sessions closed at or before ``before``; returns how many. Stores with
        native expiry (Redis) delete on their own and return 0."""
        return 0

    async def close_store(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release connections."""

    async def append_turn(self, session_id: str, turn: Turn) -> Session:
        def add(session: Session) -> Session:
            turns = [*session.turns, turn]
            return session.model_copy(update={"turns": turns, "last_activity_at": turn.timestamp})

        return await self.update(session_id, add)

    async def touch(self, session_id: str) -> Session:
        now = datetime.now(UTC)
        return await self.update(
            session_id, lambda s: s.model_copy(update={"last_activity_at": now})
        )

    async def close(self, session_id: str, reason: str) -> Session:
        """Mark the session closed; raises SessionAlreadyClosedError the second time."""
        now = datetime.now(UTC)

        def close(session: Session) -> Session:
            if session.status == "closed":
                raise SessionAlreadyClosedError(session_id)
            metadata = {**session.metadata, "closeReason": reason, "closedAt": now.isoformat()}
            return session.model_copy(
                update={"status": "closed", "metadata": metadata, "last_activity_at": now}
            )

        return await self.update(session_id, close)
