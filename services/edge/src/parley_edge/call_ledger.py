"""A call's life at the edge, from its voice webhook to its end, and the one place that
moves it on.

A carrier's webhook signatures may carry no timestamp, so one captured request can be
posted again and again. The shared :class:`~parley_sessions.CallIndex` keeps, per Call
SID and for every edge instance, the call's one session and whether it is pending
(answered, its media stream not started), streaming or ended; this instance's :class:`CallAdmission`
keeps its own places. Only a call's first webhook makes a session and takes a place: a
replay answers with the session the call already has, or, once the call is over, with a
hang-up, and a call's stream starts once. A pending call whose stream has not started
within the pending timeout gives its place back and its session is ended, so answered
calls that nobody connects cannot fill the edge.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass

from aiokafka.errors import KafkaError
from parley_bus import BusPublisher
from parley_contracts import CALL_EVENTS, CallEnded
from parley_sessions import CallIndex, CallIndexUnavailableError, CallState, IndexedCall

from parley_edge import metrics
from parley_edge.admission import CallAdmission

log = logging.getLogger(__name__)

STREAM_NOT_CONNECTED = "stream_not_connected"


class EdgeFullError(Exception):
    """This instance holds ``PARLEY_EDGE_MAX_CONCURRENT_CALLS`` calls already."""


class StreamRefusedError(Exception):
    """A media stream's ``start`` is not the one start of a call answered and still pending.

    ``reason`` is its label in ``metrics.STREAMS_REJECTED``.
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class AnsweredCall:
    """The session a voice webhook answers with, and where that call is in its life."""

    session_id: str
    state: CallState
    replayed: bool


class CallLedger:
    def __init__(
        self,
        admission: CallAdmission,
        index: CallIndex,
        publisher: BusPublisher,
        pending_timeout_s: float,
    ) -> None:
        self._admission = admission
        self._index = index
        self._publisher = publisher
        self._pending_timeout_s = pending_timeout_s
        self._timers: set[asyncio.Task[None]] = set()

    async def answer(self, call_sid: str) -> AnsweredCall:
        """The call's session: a new pending one holding a place here, or, for a replayed
        webhook, the one the call already has (in whatever state, ``ended`` included).

        Raises :class:`EdgeFullError` for a new call over the limit (the call is then
        ended in the index, so a replay cannot connect it later), and
        :class:`~parley_sessions.CallIndexUnavailableError` when Redis cannot be reached.
        """
        session_id = str(uuid.uuid4())
        call = await self._index.claim(call_sid, session_id)
        if call.session_id != session_id:
            return AnsweredCall(call.session_id, call.state, replayed=True)
        if not self._admission.reserve(session_id):
            await self._index.end(call_sid, session_id)
            raise EdgeFullError("at PARLEY_EDGE_MAX_CONCURRENT_CALLS")
        timer = asyncio.create_task(
            self._expire(call_sid, session_id), name=f"pending-call-{session_id}"
        )
        self._timers.add(timer)
        timer.add_done_callback(self._timers.discard)
        return AnsweredCall(session_id, "pending", replayed=False)

    async def start_stream(self, call_sid: str, session_id: str) -> None:
        """Lets one stream start for a pending call, on whichever instance it lands.

        Raises :class:`StreamRefusedError` for any other: a replayed ``start`` (the call
        streams or streamed already), one after the call ended or its pending timeout, one
        for a call no edge answered with this session, or when Redis cannot be asked.
        """
        try:
            before = await self._index.start_stream(call_sid, session_id)
        except CallIndexUnavailableError as exc:
            raise StreamRefusedError(str(exc), "index_unavailable") from exc
        if before is None or before.session_id != session_id:
            raise StreamRefusedError("no call was answered with this session", "unknown_call")
        if before.state == "streaming":
            raise StreamRefusedError("replayed start: the call streams already", "replayed")
        if before.state == "ended":
            raise StreamRefusedError("start for a call that has ended", "call_ended")
        self._admission.activate(session_id)

    async def stream_ended(self, call_sid: str, session_id: str) -> None:
        """The call's stream is over: its place is free and the call stays ended."""
        self._admission.release(session_id)
        try:
            await self._index.end(call_sid, session_id)
        except CallIndexUnavailableError as exc:
            log.error(
                "could not record the end of a call: until its index entry expires, a replayed "
                "webhook is answered with its session (a stream for it is still refused)",
                extra={"event": "call_index.unavailable", "session": session_id, "error": str(exc)},
            )

    async def call_ended(self, call_sid: str, reason: str) -> IndexedCall | None:
        """The carrier says the call is over: ends it (whatever its state) and publishes
        ``call.ended`` for its session; the entry as it was, None for an unknown call."""
        before = await self._index.end(call_sid)
        if before is None:
            return None
        self._admission.release(before.session_id)
        await self._publish_end(call_sid, before.session_id, reason)
        return before

    async def close(self) -> None:
        """Stops the pending timers (shutdown): the index ends those calls at their
        deadline anyway."""
        for timer in list(self._timers):
            timer.cancel()
        await asyncio.gather(*self._timers, return_exceptions=True)

    def __len__(self) -> int:
        return len(self._admission)

    async def _expire(self, call_sid: str, session_id: str) -> None:
        await asyncio.sleep(self._pending_timeout_s)
        if not self._admission.is_pending(session_id):
            return  # its stream started here, or the carrier said the call ended
        self._admission.release(session_id)
        try:
            # False: the stream started on another instance, or the call ended meanwhile.
            if not await self._index.end_if_pending(call_sid, session_id):
                return
            await self._publish_end(call_sid, session_id, STREAM_NOT_CONNECTED)
        except (CallIndexUnavailableError, KafkaError) as exc:
            # Its place is free; the index ends the call at its deadline by itself.
            log.error(
                "could not end a call whose stream never started; check Redis and Kafka",
                extra={
                    "event": "call.pending_end_failed",
                    "session": session_id,
                    "error": str(exc),
                },
            )
            return
        metrics.CALLS_ENDED.labels(reason=STREAM_NOT_CONNECTED).inc()
        log.info(
            "no media stream in time; call ended",
            extra={"event": "call.stream_not_connected", "session": session_id},
        )

    async def _publish_end(self, call_sid: str, session_id: str, reason: str) -> None:
        """``call.ended`` for a call whose stream is not (or never was) here to say so."""
        await self._publisher.event(
            CALL_EVENTS, CallEnded(session_id=session_id, call_sid=call_sid, reason=reason)
        )
