"""Session lifecycle: create when a call starts, close when it ends or goes idle."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from parley_bus import BusPublisher
from parley_contracts import (
    CALL_EVENTS,
    CONTROL,
    CallEnded,
    CallEvent,
    CallStarted,
    HangUp,
    SessionClosed,
)
from parley_sessions import (
    Session,
    SessionAlreadyClosedError,
    SessionError,
    SessionNotFoundError,
    SessionStore,
)

from parley_janitor import metrics
from parley_janitor.edge_slots import EDGE_SLOT_KEY, EdgeSlots, InvalidEdgeSlotError
from parley_janitor.settings import JanitorSettings

log = logging.getLogger(__name__)

# How long a closed session stays readable (GET /v1/sessions/{id}) before it is deleted.
RETENTION_S = 3600
# Sessions listed per page by a sweep or a cleanup.
PAGE_SIZE = 100

DueIds = Callable[[int], Awaitable[list[str]]]


class SessionLifecycle:
    def __init__(
        self, store: SessionStore, publisher: BusPublisher, settings: JanitorSettings
    ) -> None:
        self._store = store
        self._publisher = publisher
        self._settings = settings
        self.edge_slots = EdgeSlots(publisher)

    async def on_call_event(self, event: CallEvent | None) -> None:
        if isinstance(event, CallStarted):
            await self._create(event)
        elif isinstance(event, CallEnded):
            await self.close(event.session_id, event.reason)

    async def _create(self, event: CallStarted) -> None:
        try:
            session_uuid = UUID(event.session_id)
        except ValueError:
            log.warning(
                "call started with a malformed session id",
                extra={"event": "janitor.bad_session_id"},
            )
            return
        try:
            await self.edge_slots.check(event.edge_slot)
        except InvalidEdgeSlotError as exc:
            metrics.INVALID_EDGE_SLOTS.inc()
            log.error(
                "call started on an edge slot the control topic does not have; no session created",
                extra={
                    "event": "janitor.invalid_edge_slot",
                    "session": event.session_id,
                    "edge_slot": event.edge_slot,
                    "error": str(exc),
                },
            )
            return
        if await self._store.get(event.session_id) is not None:
            return  # redelivered event
        session = Session(
            session_id=session_uuid,
            call_sid=event.call_sid,
            mcp_endpoint=self._settings.mcp_endpoint,
            stt_provider=event.stt_provider or self._settings.stt_provider,
            tts_provider=event.tts_provider or self._settings.tts_provider,
            ttl=self._settings.session_ttl_s,
            metadata={EDGE_SLOT_KEY: event.edge_slot, "streamSid": event.stream_sid},
        )
        await self._store.create(session)
        metrics.session_created()
        log.info("session created", extra={"event": "session.created", "session": event.session_id})

    async def close(self, session_id: str, reason: str) -> Session | None:
        """Close for a call event: a second report of the same end is expected, not an error."""
        try:
            return await self.close_strict(session_id, reason, repeat_is_warning=False)
        except SessionAlreadyClosedError:
            return None
        except SessionNotFoundError:
            log.warning(
                "close for an unknown session",
                extra={"event": "session.unknown", "session": session_id},
            )
            return None

    async def close_strict(
        self, session_id: str, reason: str, repeat_is_warning: bool = True
    ) -> Session:
        """Close and announce it; raises SessionAlreadyClosedError / SessionNotFoundError."""
        session = await self._close_in_store(session_id, reason, repeat_is_warning)
        await self._announce_closed(session, reason)
        return session

    async def _close_in_store(
        self, session_id: str, reason: str, repeat_is_warning: bool
    ) -> Session:
        try:
            session = await self._store.close(session_id, reason)
        except SessionAlreadyClosedError:
            # Twilio's status callback and the stream's stop both report the end of a call;
            # anyone else closing twice gets a warning.
            log.log(
                logging.WARNING if repeat_is_warning else logging.INFO,
                "session already closed",
                extra={"event": "session.already_closed", "session": session_id, "reason": reason},
            )
            raise
        metrics.session_closed(session, reason)
        return session

    async def _announce_closed(self, session: Session, reason: str) -> None:
        await self._publisher.event(
            CALL_EVENTS, SessionClosed(session_id=session.id, reason=reason)
        )
        log.info(
            "session closed",
            extra={"event": "session.closed", "session": session.id, "reason": reason},
        )

    async def _hang_up(self, session: Session, reason: str) -> None:
        """Tell the edge holding a live call (its slot is recorded) to end it."""
        slot = session.metadata.get(EDGE_SLOT_KEY)
        if slot is None:
            return
        partition = await self.edge_slots.check(slot)
        await self._publisher.event(
            CONTROL, HangUp(session_id=session.id, reason=reason), partition=partition
        )

    async def _close_all(self, due: DueIds, reason: str) -> int:
        """Close every session ``due`` lists, page after page; returns how many this
        janitor closed. One bad record never stops the rest: it is logged, counted and
        passed over (listed ids this janitor did not close are skipped in later pages)."""
        closed = 0
        skipped: set[str] = set()
        while ids := [i for i in await due(PAGE_SIZE + len(skipped)) if i not in skipped]:
            for session_id in ids:
                if await self._expire(session_id, reason):
                    closed += 1
                else:
                    skipped.add(session_id)  # another janitor won the race, or it failed
        return closed

    async def _expire(self, session_id: str, reason: str) -> bool:
        """Close one session, announce it and hang its call up, each step on its own: a
        session that cannot be announced or hung up is still closed in the store."""
        try:
            session = await self._close_in_store(session_id, reason, repeat_is_warning=False)
        except (SessionAlreadyClosedError, SessionNotFoundError):
            return False  # closed or deleted by someone else meanwhile
        except Exception as exc:  # one bad record must not stop the sweep
            _close_failed(session_id, "close", exc)
            return False
        for step, action in (("announce", self._announce_closed), ("hangup", self._hang_up)):
            try:
                await action(session, reason)
            except Exception as exc:  # the session stays closed; the sweep goes on
                _close_failed(session_id, step, exc)
        return True

    async def sweep_expired(self) -> int:
        """Close sessions idle past their TTL and tell their edge to hang up; delete
        sessions closed more than RETENTION_S ago."""
        now = datetime.now(UTC)
        closed = await self._close_all(
            lambda limit: self._store.expired_ids(now, limit), "ttl_expired"
        )
        await self._store.purge(now - timedelta(seconds=RETENTION_S))
        return closed

    async def cleanup_idle(self, older_than_s: int) -> int:
        """Close every active session idle for ``older_than_s`` seconds or more."""
        before = datetime.now(UTC) - timedelta(seconds=older_than_s)
        return await self._close_all(lambda limit: self._store.idle_ids(before, limit), "cleanup")

    async def run_sweeper(self) -> None:
        while True:
            try:
                await self.sweep_expired()
                metrics.LAST_SWEEP.set(time.time())
            except Exception as exc:  # the sweeper must outlive any failure, or expiry stops
                metrics.SWEEP_ERRORS.inc()
                log.warning(
                    "expiry sweep failed; retrying",
                    exc_info=not isinstance(exc, SessionError | OSError),
                    extra={"event": "janitor.sweep_failed", "error": str(exc)},
                )
            await asyncio.sleep(self._settings.sweep_interval_s)


def _close_failed(session_id: str, step: str, exc: Exception) -> None:
    metrics.CLOSE_FAILURES.labels(step=step).inc()
    log.error(
        f"closing a due session failed at its {step} step; passed over",
        exc_info=exc,
        extra={"event": "janitor.close_failed", "session": session_id, "step": step},
    )
