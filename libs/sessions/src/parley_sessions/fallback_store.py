"""A store that keeps calls going through a storage outage.

Every operation is tried on the primary store a few times with backoff. If the primary
stays unreachable, the session is served from an in-process copy and each change is
queued; a background task replays the queue onto the primary once it answers again.
Changes are replayed as the same mutations (under the primary's optimistic locking),
so turns written meanwhile by another process are kept, and a session the primary lost
(a restarted Redis without persistence) is written back whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from parley_sessions.errors import (
    SessionAlreadyClosedError,
    SessionConflictError,
    SessionNotFoundError,
    SessionStoreUnavailableError,
)
from parley_sessions.model import Session
from parley_sessions.store import Mutation, SessionStore, next_version

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class _Pending:
    """What the primary has not seen yet for one session."""

    latest: Session
    created: bool = False  # the session itself was created during the outage
    mutations: list[Mutation] = field(default_factory=list)


class FallbackSessionStore(SessionStore):
    def __init__(
        self,
        primary: SessionStore,
        attempts: int = 3,
        backoff_s: float = 0.05,
        reconcile_interval_s: float = 1.0,
        max_cached: int = 10_000,
    ) -> None:
        self._primary = primary
        self._attempts = attempts
        self._backoff_s = backoff_s
        self._reconcile_interval_s = reconcile_interval_s
        self._max_cached = max_cached
        self._cache: dict[str, Session] = {}  # last known state of sessions this process used
        self._pending: dict[str, _Pending] = {}
        self._lock = asyncio.Lock()
        self._reconciler: asyncio.Task[None] | None = None

    @property
    def pending_sessions(self) -> int:
        return len(self._pending)

    async def _with_retry(self, operation: Callable[[], Awaitable[T]]) -> T:
        delay = self._backoff_s
        for attempt in range(1, self._attempts + 1):
            try:
                return await operation()
            except SessionStoreUnavailableError:
                if attempt == self._attempts:
                    raise
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def _remember(self, session: Session) -> Session:
        if session.status == "closed":
            self._cache.pop(session.id, None)
        else:
            if len(self._cache) >= self._max_cached and session.id not in self._cache:
                self._cache.pop(next(iter(self._cache)))
            self._cache[session.id] = session
        return session

    def _degraded(self, session_id: str, exc: Exception) -> None:
        log.warning(
            "session store unreachable; serving the session from memory until it returns",
            extra={"event": "sessions.fallback", "session": session_id, "error": str(exc)},
        )
        if self._reconciler is None or self._reconciler.done():
            self._reconciler = asyncio.create_task(self._reconcile_loop(), name="session-replay")

    async def create(self, session: Session) -> Session:
        try:
            return self._remember(await self._with_retry(lambda: self._primary.create(session)))
        except SessionStoreUnavailableError as exc:
            async with self._lock:
                self._pending[session.id] = _Pending(latest=session, created=True)
            self._degraded(session.id, exc)
            return session

    async def get(self, session_id: str) -> Session | None:
        pending = self._pending.get(session_id)
        if pending is not None:
            return pending.latest
        try:
            found = await self._with_retry(lambda: self._primary.get(session_id))
        except SessionStoreUnavailableError as exc:
            if session_id not in self._cache:
                raise
            self._degraded(session_id, exc)
            return self._cache[session_id]
        return None if found is None else self._remember(found)

    async def update(self, session_id: str, mutate: Mutation) -> Session:
        if session_id not in self._pending:
            try:
                return self._remember(
                    await self._with_retry(lambda: self._primary.update(session_id, mutate))
                )
            except SessionStoreUnavailableError as exc:
                if session_id not in self._cache:
                    raise
                self._degraded(session_id, exc)
        async with self._lock:
            pending = self._pending.get(session_id)
            if pending is None:
                pending = self._pending[session_id] = _Pending(latest=self._cache[session_id])
            updated = next_version(mutate(pending.latest))  # errors reach the caller as usual
            pending.latest = updated
            pending.mutations.append(mutate)
            return updated

    async def reconcile(self) -> int:
        """Replay queued changes onto the primary; returns how many sessions are done.
        Raises SessionStoreUnavailableError if the primary is still down."""
        done = 0
        async with self._lock:
            for session_id, pending in list(self._pending.items()):
                await self._replay(session_id, pending)
                del self._pending[session_id]
                done += 1
        if done:
            log.info(
                "session changes made during the outage written back",
                extra={"event": "sessions.reconciled", "sessions": done},
            )
        return done

    async def _replay(self, session_id: str, pending: _Pending) -> None:
        if pending.created:
            await self._primary.create(pending.latest)
            self._remember(pending.latest)
            return
        try:
            while pending.mutations:
                try:
                    self._remember(await self._primary.update(session_id, pending.mutations[0]))
                except (SessionAlreadyClosedError, SessionConflictError) as exc:
                    # Closed (or fought over) elsewhere meanwhile: this change cannot apply.
                    log.warning(
                        "a change made during the outage no longer applies; dropped",
                        extra={
                            "event": "sessions.replay_dropped",
                            "session": session_id,
                            "error": str(exc),
                        },
                    )
                pending.mutations.pop(0)
        except SessionNotFoundError:
            # The primary lost the record (restarted without persistence): write ours back.
            await self._primary.create(pending.latest)
            self._remember(pending.latest)

    async def _reconcile_loop(self) -> None:
        while self._pending:
            await asyncio.sleep(self._reconcile_interval_s)
            with contextlib.suppress(SessionStoreUnavailableError):
                await self.reconcile()

    async def expired_ids(self, now: datetime, limit: int = 100) -> list[str]:
        return await self._primary.expired_ids(now, limit)

    async def idle_ids(self, before: datetime, limit: int = 100) -> list[str]:
        return await self._primary.idle_ids(before, limit)

    async def purge(self, before: datetime) -> int:
        return await self._primary.purge(before)

    async def ping(self) -> None:
        await self._primary.ping()

    async def check_access(self) -> None:
        await self._primary.check_access()

    async def close_store(self) -> None:
        if self._reconciler is not None:
            self._reconciler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reconciler
        with contextlib.suppress(SessionStoreUnavailableError):
            await self.reconcile()
        await self._primary.close_store()
