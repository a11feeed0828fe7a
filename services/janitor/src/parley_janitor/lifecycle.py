"""Session lifecycle: create when a call starts, close when it ends or goes idle."""

from __future__ import annotations

import asyncio
import logging
import time
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
from parley_janitor.settings import JanitorSettings

log = logging.getLogger(__name__)

# How long a closed session stays readable (GET /v1/sessions/{id}) before it is deleted.
RETENTION_S = 3600


class SessionLifecycle:
    def __init__(
        self, store: SessionStore, publisher: BusPublisher, settings: JanitorSettings
    ) -> None:
        self._store = store
        self._publisher = publisher
        self._settings = settings

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
        if await self._store.get(event.session_id) is not None:
            return  # redelivered event
        session = Session(
            session_id=session_uuid,
            call_sid=event.call_sid,
            mcp_endpoint=self._settings.mcp_endpoint,
            stt_provider=event.stt_provider or self._settings.stt_provider,
            tts_provider=event.tts_provider or self._settings.tts_provider,
            ttl=self._settings.session_ttl_s,
            metadata={"edgeSlot": event.edge_slot, "streamSid": event.stream_sid},
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
        await self._publisher.event(
            CALL_EVENTS, SessionClosed(session_id=session_id, reason=reason)
        )
        log.info(
            "session closed",
            extra={"event": "session.closed", "session": session_id, "reason": reason},
        )
        return session

    async def _close_and_hang_up(self, session_ids: list[str], reason: str) -> int:
        """Close each session (another janitor may win the race: not counted) and tell a
        live call's edge to hang up."""
        closed = 0
        for session_id in session_ids:
            session = await self.close(session_id, reason)
            if session is None:
                continue
            closed += 1
            slot = session.metadata.get("edgeSlot")
            if isinstance(slot, int):
                await self._publisher.event(
                    CONTROL, HangUp(session_id=session_id, reason=reason), partition=slot
                )
        return closed

    async def sweep_expired(self) -> int:
        """Close sessions idle past their TTL and tell their edge to hang up; delete
        sessions closed more than RETENTION_S ago."""
        now = datetime.now(UTC)
        closed = await self._close_and_hang_up(await self._store.expired_ids(now), "ttl_expired")
        await self._store.purge(now - timedelta(seconds=RETENTION_S))
        return closed

    async def cleanup_idle(self, older_than_s: int) -> int:
        """Close every active session idle for ``older_than_s`` seconds or more."""
        before = datetime.now(UTC) - timedelta(seconds=older_than_s)
        cleaned = 0
        while ids := await self._store.idle_ids(before):
            done = await self._close_and_hang_up(ids, "cleanup")
            cleaned += done
            if done == 0:
                break  # everything listed was closed by another janitor meanwhile
        return cleaned

    async def run_sweeper(self) -> None:
        while True:
            try:
                await self.sweep_expired()
                metrics.LAST_SWEEP.set(time.time())
            except (SessionError, OSError) as exc:
                metrics.SWEEP_ERRORS.inc()
                log.warning(
                    "expiry sweep failed; retrying",
                    extra={"event": "janitor.sweep_failed", "error": str(exc)},
                )
            await asyncio.sleep(self._settings.sweep_interval_s)
