"""One Twilio Media Stream: from ``connected`` to ``stop`` (or a dropped socket).

Bad input is counted, logged once per kind per call, and skipped; the call goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
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
    PlaybackStarted,
    SegmentMark,
)
from parley_telemetry import tracer
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from parley_edge import metrics
from parley_edge.media_protocol import (
    Connected,
    Dtmf,
    InboundMessage,
    MalformedMessageError,
    Mark,
    Media,
    Start,
    Stop,
    TwilioMediaSerializer,
)
from parley_edge.playback import PlaybackPacer
from parley_edge.registry import CallRegistry

log = logging.getLogger(__name__)


class CallStream:
    def __init__(
        self,
        websocket: WebSocket,
        publisher: BusPublisher,
        registry: CallRegistry,
        edge_slot: int,
        playback_ahead_ms: int,
    ) -> None:
        self._ws = websocket
        self._publisher = publisher
        self._registry = registry
        self._slot = edge_slot
        self._serializer = TwilioMediaSerializer()
        self._ahead_ms = playback_ahead_ms
        self.session_id: str | None = None
        self.call_sid = ""
        self.stream_sid = ""
        self._pacer: PlaybackPacer | None = None
        self._pacer_task: asyncio.Task[None] | None = None
        self._reported: set[str] = set()
        self._ended = False
        self._hangup_requested = False
        self._speech_ended_at: dict[int, float] = {}
        self._synthesized_at: dict[int, float] = {}
        self._turn_traces: dict[int, Context] = {}
        self._background: set[asyncio.Task[None]] = set()

    # --- inbound ------------------------------------------------------------------

    async def run(self) -> None:
        reason = "transport_lost"
        try:
            while True:
                message = await self._ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                text = message.get("text")
                if text is None:
                    self._bad(
                        MalformedMessageError("binary_frame", "Twilio sends JSON text frames")
                    )
                    continue
                try:
                    parsed = self._serializer.parse(text)
                except MalformedMessageError as exc:
                    self._bad(exc)
                    continue
                if await self._handle(parsed):
                    reason = "stream_stopped"
                    break
        except WebSocketDisconnect:
            pass
        finally:
            if self._hangup_requested:
                reason = "agent_hangup"
            await self._end(reason)

    async def _handle(self, message: InboundMessage) -> bool:
        """Returns True when the stream is over."""
        if isinstance(message, Media):
            await self._on_media(message)
        elif isinstance(message, Start):
            await self._on_start(message)
        elif isinstance(message, Mark):
            await self._on_mark(message)
        elif isinstance(message, Dtmf):
            await self._on_dtmf(message)
        elif isinstance(message, Stop):
            return True
        elif isinstance(message, Connected):
            pass
        return False

    async def _on_start(self, message: Start) -> None:
        if self.session_id is not None:
            self._bad(MalformedMessageError("duplicate_start", "start after start"))
            return
        session_id = message.start.customParameters.get("sessionId", "")
        if not session_id:
            self._bad(MalformedMessageError("missing_session", "start without sessionId parameter"))
            await self._ws.close(code=1008, reason="missing sessionId parameter")
            return
        self.session_id = session_id
        self.call_sid = message.start.callSid
        self.stream_sid = message.start.streamSid or message.streamSid
        self._pacer = PlaybackPacer(
            lambda frame: self._serializer.media(self.stream_sid, frame),
            lambda name: self._serializer.mark(self.stream_sid, name),
            self._send,
            ahead_ms=self._ahead_ms,
            on_first_frame=self._on_first_frame,
        )
        self._pacer_task = asyncio.create_task(self._pacer.run(), name=f"playback-{session_id}")
        self._registry.add(session_id, self)
        metrics.CALLS_ACTIVE.inc()
        await self._publisher.event(
            CALL_EVENTS,
            CallStarted(
                session_id=session_id,
                edge_slot=self._slot,
                call_sid=self.call_sid,
                stream_sid=self.stream_sid,
            ),
        )
        log.info("call stream started", extra={"event": "call.started", "session": session_id})

    async def _on_media(self, message: Media) -> None:
        if self.session_id is None:
            self._bad(MalformedMessageError("media_before_start", "media before start"))
            return
        if message.media.track not in ("inbound", "inbound_track"):
            return
        try:
            frame = self._serializer.audio(message)
        except MalformedMessageError as exc:
            self._bad(exc)
            return
        metrics.MEDIA_CHUNKS.labels(direction="inbound").inc()
        meta = InboundAudioHeaders(
            session_id=self.session_id,
            seq=message.media.chunk,
            media_timestamp_ms=message.media.timestamp,
            received_at_ms=int(time.time() * 1000),
            edge_slot=self._slot,
        )
        await self._publisher.caller_audio(frame, meta)

    async def _on_mark(self, message: Mark) -> None:
        mark = SegmentMark.parse(message.mark.name)
        if mark is None or self.session_id is None:
            return
        await self._publisher.event(
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

    async def _on_dtmf(self, message: Dtmf) -> None:
        if self.session_id is None:
            self._bad(MalformedMessageError("dtmf_before_start", "dtmf before start"))
            return
        try:
            event = DtmfPressed(
                session_id=self.session_id, edge_slot=self._slot, digit=message.dtmf.digit
            )
        except ValueError:
            self._bad(MalformedMessageError("invalid_fields", "dtmf digit"))
            return
        await self._publisher.event(CALL_EVENTS, event)

    def _bad(self, error: MalformedMessageError) -> None:
        metrics.MALFORMED_MESSAGES.labels(kind=error.kind).inc()
        if error.kind not in self._reported:
            self._reported.add(error.kind)
            log.warning(
                "skipping malformed media stream message",
                extra={"event": "twilio.malformed", "kind": error.kind, "session": self.session_id},
            )

    # --- outbound -----------------------------------------------------------------

    def deliver_audio(
        self, frame: bytes, meta: OutboundAudioHeaders, trace_context: Context | None = None
    ) -> None:
        if self._pacer is None:
            return
        if trace_context is not None and meta.segment == 0:
            self._turn_traces.setdefault(meta.turn_id, trace_context)
        if meta.speech_ended_at_ms is not None and meta.turn_id not in self._speech_ended_at:
            self._speech_ended_at[meta.turn_id] = meta.speech_ended_at_ms / 1000
        if meta.synthesized_at_ms is not None and meta.turn_id not in self._synthesized_at:
            self._synthesized_at[meta.turn_id] = meta.synthesized_at_ms / 1000
        if not self._pacer.enqueue_frame(meta.turn_id, frame):
            metrics.STALE_AGENT_FRAMES.inc()
            return
        metrics.MEDIA_CHUNKS.labels(direction="outbound").inc()
        if meta.last_in_segment:
            mark = SegmentMark(meta.turn_id, meta.segment, meta.last_segment, meta.hangup_after)
            self._pacer.enqueue_mark(meta.turn_id, mark.name())

    def _on_first_frame(self, turn_id: int) -> None:
        ended = self._speech_ended_at.pop(turn_id, None)
        if ended is not None:
            metrics.FIRST_FRAME_LATENCY.observe((time.time() - ended) * 1000)
        if self.session_id is None:
            return
        trace_context = self._turn_traces.pop(turn_id, None)
        if trace_context is not None:
            # The last hop of the turn's trace: its first audio frame leaves for Twilio.
            tracer().start_span(
                "edge.first_frame",
                context=trace_context,
                attributes={"parley.session_id": self.session_id, "parley.turn_id": turn_id},
            ).end()
        synthesized = self._synthesized_at.pop(turn_id, None)
        started = PlaybackStarted(
            session_id=self.session_id,
            turn_id=turn_id,
            first_frame_at=datetime.now(UTC),
            synthesis_started_at=(
                datetime.fromtimestamp(synthesized, UTC) if synthesized is not None else None
            ),
        )
        # Called from the pacer; the dialogue service turns this into the turn's latency record.
        task = asyncio.get_running_loop().create_task(self._publisher.event(CALL_EVENTS, started))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def apply_control(self, event: ControlEvent) -> None:
        if isinstance(event, ClearPlayback) and self._pacer is not None:
            self._pacer.supersede(event.turn_id)
            await self._send(self._serializer.clear(self.stream_sid))
        elif isinstance(event, HangUp):
            await self.hang_up(event.reason)

    async def hang_up(self, reason: str) -> None:
        """Close our side of the socket; Twilio then runs ``<Hangup/>`` from the TwiML."""
        self._hangup_requested = True
        log.info(
            "hanging up",
            extra={"event": "call.hangup", "session": self.session_id, "reason": reason},
        )
        if self._ws.client_state == WebSocketState.CONNECTED:
            await self._ws.close(code=1000, reason=reason[:100])

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
        if self._pacer_task is not None:
            self._pacer_task.cancel()
        if self.session_id is None:
            return
        self._registry.remove(self.session_id)
        metrics.CALLS_ACTIVE.dec()
        metrics.CALLS_ENDED.labels(reason=reason).inc()
        await self._publisher.event(
            CALL_EVENTS,
            CallEnded(
                session_id=self.session_id,
                call_sid=self.call_sid,
                reason=reason,
                at=datetime.now(UTC),
            ),
        )
        log.info(
            "call stream ended",
            extra={"event": "call.ended", "session": self.session_id, "reason": reason},
        )
