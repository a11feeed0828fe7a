"""One call's media stream, whatever the carrier: from its start to its stop (or a dropped
socket). The carrier's wire format is its :class:`MediaSerializer`'s business; this core
sees carrier-neutral events.

Bad input is counted, logged once per kind per call, and skipped; the call goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from opentelemetry.context import Context
from parley_bus import BusPublisher
from parley_contracts import (
    CALL_EVENTS,
    CallEnded,
    CallStarted,
    ClearPlayback,
    ControlEvent,
    DtmfPressed,
    HangUp,
    InboundAudioHeaders,
    OutboundAudioHeaders,
    PlaybackMarked,
    SegmentMark,
    TransferCall,
)
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from parley_edge import metrics
from parley_edge.bad_input import BadInput
from parley_edge.call_ledger import CallLedger, StreamRefusedError
from parley_edge.call_playback import CallPlayback
from parley_edge.call_updates import CallUpdates
from parley_edge.call_uplink import CallUplink
from parley_edge.carriers.base import (
    CallControl,
    CallerAudio,
    InboundEvent,
    KeyPressed,
    MalformedMessageError,
    MarkReached,
    MediaSerializer,
    StreamStarted,
    StreamStopped,
)
from parley_edge.log_redaction import hashed_sid
from parley_edge.registry import CallRegistry
from parley_edge.speech_choice import CallSpeech
from parley_edge.stream_token import StreamTokenError, StreamTokens

log = logging.getLogger(__name__)

POLICY_VIOLATION = 1008
AFTER_STOP_GRACE_S = 2.0


@dataclass(frozen=True)
class EdgeContext:
    """What every call stream on this edge instance shares."""

    publisher: BusPublisher
    registry: CallRegistry
    tokens: StreamTokens
    calls: CallLedger
    serializer: MediaSerializer
    call_control: CallControl
    slot: int
    playback_ahead_ms: int
    max_call_duration_s: float
    start_timeout_s: float


class CallStream:
    def __init__(self, websocket: WebSocket, edge: EdgeContext) -> None:
        self._ws = websocket
        self._edge = edge
        self._publisher = edge.publisher
        self._slot = edge.slot
        self._serializer = edge.serializer
        self._carrier = edge.serializer.carrier
        self.session_id: str | None = None
        self.speech = CallSpeech()
        self.call_sid = ""
        self.stream_sid = ""
        self.account_sid = ""
        self._end_reason: str | None = None
        self._rejected = False
        self._stopped = False
        self._duration_task: asyncio.Task[None] | None = None
        self._playback: CallPlayback | None = None
        self._playback_task: asyncio.Task[None] | None = None
        self._uplink: CallUplink | None = None
        self._updates: CallUpdates | None = None
        self._bad_input = BadInput(self._carrier)
        self._ended = False

    # --- inbound ------------------------------------------------------------------

    async def run(self) -> None:
        start_deadline = time.monotonic() + self._edge.start_timeout_s
        try:
            while not self._rejected:
                try:
                    timeout = self._receive_timeout(start_deadline)
                    message = await asyncio.wait_for(self._ws.receive(), timeout)
                except TimeoutError:
                    if not self._stopped:
                        await self._reject("no valid start in time", "", reason="start_timeout")
                    break  # stopped, and the peer did not close: we do
                if message["type"] == "websocket.disconnect":
                    break
                await self._receive(message.get("text"))
        except WebSocketDisconnect:
            pass
        finally:
            await self._end(self._end_reason or "transport_lost")
            await self._close(1000, "stream over")

    def _receive_timeout(self, start_deadline: float) -> float | None:
        """A socket that never starts a call (idle, or dribbling other messages) is closed
        at the start deadline, so it cannot hold a connection on this edge for ever."""
        if self._stopped:
            return AFTER_STOP_GRACE_S
        if self.session_id is None:
            return max(0.0, start_deadline - time.monotonic())
        return None

    async def _receive(self, text: str | None) -> None:
        if text is None:
            self._bad(MalformedMessageError("binary_frame", "the carrier sends JSON text frames"))
            return
        if self._stopped:
            self._bad(MalformedMessageError("after_stop", "message after stop"))
            return
        try:
            parsed = self._serializer.deserialize(text)
        except MalformedMessageError as exc:
            self._bad(exc)
            return
        if await self._handle(parsed):
            self._stopped = True
            self._end_reason = self._end_reason or "stream_stopped"
            await self._end(self._end_reason)

    async def _handle(self, event: InboundEvent | None) -> bool:
        """Returns True when the stream is over."""
        if isinstance(event, CallerAudio):
            await self._on_media(event)
        elif isinstance(event, StreamStarted):
            await self._on_start(event)
        elif isinstance(event, MarkReached):
            await self._on_mark(event)
        elif isinstance(event, KeyPressed):
            await self._on_dtmf(event)
        elif isinstance(event, StreamStopped):
            return True
        return False

    async def _on_start(self, event: StreamStarted) -> None:
        if self.session_id is not None:
            self._bad(MalformedMessageError("duplicate_start", "start after start"))
            return
        parameters = event.parameters
        session_id = parameters.get("sessionId", "")
        try:
            if not session_id:
                raise StreamTokenError("start without a sessionId parameter")
            self._edge.tokens.verify(parameters.get("token", ""), session_id, event.call_id)
        except StreamTokenError as exc:
            await self._reject(str(exc), event.call_id, reason="token")
            return
        try:
            await self._edge.calls.start_stream(event.call_id, session_id)
        except StreamRefusedError as exc:
            await self._reject(str(exc), event.call_id, reason=exc.reason)
            return
        self.session_id = session_id
        self.speech = CallSpeech.from_stream_parameters(parameters)
        self.call_sid = event.call_id
        self.account_sid = event.account_id
        self.stream_sid = event.stream_id
        self._duration_task = asyncio.create_task(
            self._limit_duration(), name=f"max-duration-{session_id}"
        )
        self._playback = CallPlayback(
            session_id,
            self.stream_sid,
            self._serializer,
            self._send,
            self._publisher,
            self._edge.playback_ahead_ms,
        )
        self._playback_task = asyncio.create_task(
            self._playback.run(), name=f"playback-{session_id}"
        )
        self._edge.registry.add(session_id, self)
        metrics.CALLS_ACTIVE.inc()
        self._uplink = CallUplink(session_id, self._publisher)
        self._updates = CallUpdates(
            self._edge.call_control, self._carrier, session_id, self.account_sid, self.call_sid
        )
        self._uplink.event(
            CALL_EVENTS,
            CallStarted(
                session_id=session_id,
                edge_slot=self._slot,
                call_sid=self.call_sid,
                stream_sid=self.stream_sid,
                stt_provider=self.speech.stt_provider,
                tts_provider=self.speech.tts_provider,
            ),
        )
        log.info("call stream started", extra={"event": "call.started", "session": session_id})

    async def _reject(self, why: str, call_sid: str, reason: str) -> None:
        """Not a stream this edge issued: closed before anything reaches Kafka."""
        self._rejected = True
        metrics.STREAMS_REJECTED.labels(reason=reason).inc()
        log.warning(
            "refused a media stream",
            extra={
                "event": f"{self._carrier}.stream_refused",
                "why": why,
                "call": hashed_sid(call_sid),
            },
        )
        await self._close(POLICY_VIOLATION, "stream not authorised")

    async def _limit_duration(self) -> None:
        await asyncio.sleep(self._edge.max_call_duration_s)
        log.warning(
            "call reached the maximum duration; hanging up",
            extra={"event": "call.max_duration", "session": self.session_id},
        )
        self._end_reason = "max_duration"
        await self._hang_up_via_carrier("max_duration")

    async def _on_media(self, audio: CallerAudio) -> None:
        if self.session_id is None:
            self._bad(MalformedMessageError("media_before_start", "media before start"))
            return
        if not audio.from_caller:
            return
        try:
            frame = self._serializer.decode_audio(audio)
        except MalformedMessageError as exc:
            self._bad(exc)
            return
        metrics.INBOUND_CHUNKS.inc()
        meta = InboundAudioHeaders(
            session_id=self.session_id,
            seq=audio.seq,
            media_timestamp_ms=audio.timestamp_ms,
            received_at_ms=int(time.time() * 1000),
            edge_slot=self._slot,
            stt_provider=self.speech.stt_provider,
        )
        assert self._uplink is not None  # set with the session id
        self._uplink.audio(frame, meta)

    async def _on_mark(self, event: MarkReached) -> None:
        mark = SegmentMark.parse(event.name)
        if mark is None or self.session_id is None or self._uplink is None:
            return
        self._uplink.event(
            CALL_EVENTS,
            PlaybackMarked(
                session_id=self.session_id,
                turn_id=mark.turn_id,
                segment=mark.segment,
                last_segment=mark.last_segment,
            ),
        )
        if mark.hangup_after:
            await self.hang_up("agent_hangup")

    async def _on_dtmf(self, key: KeyPressed) -> None:
        if self.session_id is None:
            self._bad(MalformedMessageError("dtmf_before_start", "dtmf before start"))
            return
        try:
            event = DtmfPressed(session_id=self.session_id, edge_slot=self._slot, digit=key.digit)
        except ValueError:
            self._bad(MalformedMessageError("invalid_fields", "dtmf digit"))
            return
        assert self._uplink is not None  # set with the session id
        self._uplink.event(CALL_EVENTS, event)

    def _bad(self, error: MalformedMessageError) -> None:
        self._bad_input.skip(error, self.session_id)

    # --- outbound ------------------------------------------------------------------

    def deliver_audio(
        self, frame: bytes, meta: OutboundAudioHeaders, trace_context: Context | None = None
    ) -> None:
        if self._playback is not None:
            self._playback.deliver(frame, meta, trace_context)

    async def apply_control(self, event: ControlEvent) -> None:
        if isinstance(event, ClearPlayback) and self._playback is not None:
            await self._playback.clear(event.turn_id)
        elif isinstance(event, HangUp):
            self._end_reason = self._end_reason or "agent_hangup"
            await self._hang_up_via_carrier(event.reason)
        elif isinstance(event, TransferCall):
            await self._transfer(event)

    async def _transfer(self, event: TransferCall) -> None:
        if self._updates is None:
            return
        # A carrier may stop the stream as soon as it takes the transfer, before its API's
        # response reaches us: record the reason first, undo it on failure.
        previous, self._end_reason = self._end_reason, "transferred"
        if not await self._updates.transfer(event.target, event.announcement):
            self._end_reason = previous
            return
        log.info(
            "call transferred",
            extra={
                "event": "call.transferred",
                "session": self.session_id,
                "kind": "warm" if event.announcement else "cold",
            },
        )

    async def _hang_up_via_carrier(self, reason: str) -> None:
        """Complete the call through the carrier's API; if that fails, close our socket,
        which the markup that connected the call answers with a hang-up anyway."""
        if self._updates is not None:
            await self._updates.hang_up()
        await self.hang_up(reason)

    async def hang_up(self, reason: str) -> None:
        """Close our side of the socket; the carrier then hangs up, as the markup that
        connected the call tells it to."""
        self._end_reason = self._end_reason or "agent_hangup"
        log.info(
            "hanging up",
            extra={"event": "call.hangup", "session": self.session_id, "reason": reason},
        )
        await self._close(1000, reason)

    async def _close(self, code: int, reason: str) -> None:
        if self._ws.client_state == WebSocketState.CONNECTED:
            with contextlib.suppress(RuntimeError, WebSocketDisconnect, OSError):
                await self._ws.close(code=code, reason=reason[:100])

    async def _send(self, text: str) -> None:
        if self._ws.client_state != WebSocketState.CONNECTED:
            return
        # The socket may go away between the state check and the send; run() sees it.
        with contextlib.suppress(RuntimeError, WebSocketDisconnect, OSError):
            await self._ws.send_text(text)

    async def _end(self, reason: str) -> None:
        if self._ended:
            return
        self._ended = True
        if self._playback_task is not None:
            self._playback_task.cancel()
        if self._duration_task is not None and self._duration_task is not asyncio.current_task():
            self._duration_task.cancel()
        if self.session_id is None:
            return
        self._edge.registry.remove(self.session_id)
        await self._edge.calls.stream_ended(self.call_sid, self.session_id)
        metrics.CALLS_ACTIVE.dec()
        metrics.CALLS_ENDED.labels(reason=reason).inc()
        if self._uplink is not None:
            self._uplink.event(
                CALL_EVENTS,
                CallEnded(
                    session_id=self.session_id,
                    call_sid=self.call_sid,
                    reason=reason,
                    at=datetime.now(UTC),
                ),
            )
            await self._uplink.close()
        log.info(
            "call stream ended",
            extra={"event": "call.ended", "session": self.session_id, "reason": reason},
        )
