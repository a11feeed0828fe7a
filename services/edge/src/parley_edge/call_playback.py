"""The agent's side of one call: its audio frames paced out to the carrier with a mark after
every segment, re-synthesised duplicates dropped, ``clear`` on barge-in, and the
first-frame report that closes each turn's latency record."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from opentelemetry.context import Context
from parley_bus import BusPublisher
from parley_contracts import CALL_EVENTS, OutboundAudioHeaders, PlaybackStarted, SegmentMark
from parley_telemetry import tracer

from parley_edge import metrics
from parley_edge.carriers.base import MediaSerializer
from parley_edge.playback import PlaybackPacer, Send
from parley_edge.segment_dedup import SegmentProgress


class CallPlayback:
    def __init__(
        self,
        session_id: str,
        stream_sid: str,
        serializer: MediaSerializer,
        send: Send,
        publisher: BusPublisher,
        ahead_ms: int,
    ) -> None:
        self._session_id = session_id
        self._stream_sid = stream_sid
        self._serializer = serializer
        self._send = send
        self._publisher = publisher
        self._pacer = PlaybackPacer(
            lambda frame: serializer.media(stream_sid, frame),
            lambda name: serializer.mark(stream_sid, name),
            send,
            ahead_ms=ahead_ms,
            on_first_frame=self._on_first_frame,
        )
        self._segments = SegmentProgress()
        self._speech_ended_at: dict[int, float] = {}
        self._synthesized_at: dict[int, float] = {}
        self._turn_traces: dict[int, Context] = {}
        self._background: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        await self._pacer.run()

    def deliver(
        self, frame: bytes, meta: OutboundAudioHeaders, trace_context: Context | None = None
    ) -> None:
        if not self._segments.is_new(meta):
            metrics.DUPLICATE_AGENT_FRAMES.inc()
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
        metrics.OUTBOUND_CHUNKS.inc()
        if meta.last_in_segment:
            mark = SegmentMark(meta.turn_id, meta.segment, meta.last_segment, meta.hangup_after)
            self._pacer.enqueue_mark(meta.turn_id, mark.name())

    async def clear(self, turn_id: int) -> None:
        """Barge-in: drop everything queued for turns before ``turn_id`` and tell the carrier
        to silence what it has buffered."""
        self._pacer.supersede(turn_id)
        self._segments.forget_turns_before(turn_id)
        await self._send(self._serializer.clear(self._stream_sid))

    def _on_first_frame(self, turn_id: int) -> None:
        ended = self._speech_ended_at.pop(turn_id, None)
        if ended is not None:
            metrics.FIRST_FRAME_LATENCY.observe((time.time() - ended) * 1000)
        trace_context = self._turn_traces.pop(turn_id, None)
        if trace_context is not None:
            # The last hop of the turn's trace: its first audio frame leaves for the carrier.
            tracer().start_span(
                "edge.first_frame",
                context=trace_context,
                attributes={"parley.session_id": self._session_id, "parley.turn_id": turn_id},
            ).end()
        synthesized = self._synthesized_at.pop(turn_id, None)
        started = PlaybackStarted(
            session_id=self._session_id,
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
