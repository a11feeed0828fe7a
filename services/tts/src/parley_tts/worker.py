"""Synthesises reply sentences into 20 ms mu-law frames for the call's edge."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from opentelemetry import trace
from parley_audio.framing import FrameAccumulator
from parley_bus import BusPublisher
from parley_contracts import OutboundAudioHeaders, ReplyCancelled, ReplyEvent, ReplySentence
from parley_speech import Synthesizer
from parley_telemetry import tracer

from parley_tts import metrics
from parley_tts.turn_guard import TurnGuard

log = logging.getLogger(__name__)
_DONE = object()


class TextToSpeechWorker:
    def __init__(self, synthesizer: Synthesizer, publisher: BusPublisher) -> None:
        self._synthesizer = synthesizer
        self._publisher = publisher
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tts-engine")
        self._turns = TurnGuard()

    async def warm_up(self) -> None:
        """Synthesise a short phrase once, on the engine's own thread, and drop it."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, lambda: sum(1 for _ in self._frames("Hello.")))

    async def on_reply(self, event: ReplyEvent | None) -> None:
        if isinstance(event, ReplyCancelled):
            self._turns.cancel(event.session_id, event.turn_id)
            return
        if not isinstance(event, ReplySentence):
            return
        self._turns.started(event.session_id, event.turn_id)
        if self._turns.is_dead(event.session_id, event.turn_id):
            metrics.SKIPPED_SENTENCES.inc()
            return
        with tracer().start_as_current_span(
            "tts.synthesize",
            attributes={
                "parley.session_id": event.session_id,
                "parley.turn_id": event.turn_id,
                "parley.segment": event.index,
            },
        ):
            await self._synthesise(event)

    async def _synthesise(self, event: ReplySentence) -> None:
        started = time.perf_counter()
        frames = self._frames(event.text)
        spoke_ms = int(event.speech_ended_at.timestamp() * 1000) if event.speech_ended_at else None
        seq = 0
        pending: bytes | None = None
        loop = asyncio.get_running_loop()
        # Hold one frame back so the segment's last frame can be flagged as such.
        while (
            frame := await loop.run_in_executor(self._executor, next, frames, _DONE)
        ) is not _DONE:
            assert isinstance(frame, bytes)
            if self._turns.is_dead(event.session_id, event.turn_id):
                metrics.SKIPPED_SENTENCES.inc()
                return
            if pending is not None:
                await self._publish(event, pending, seq, last=False, spoke_ms=spoke_ms)
                if seq == 0:
                    metrics.FIRST_BYTE.observe((time.perf_counter() - started) * 1000)
                    trace.get_current_span().add_event("first_byte")
                seq += 1
            pending = frame
        if pending is None:
            pending = b"\xff" * 160  # an empty sentence still closes its segment with a mark
        await self._publish(event, pending, seq, last=True, spoke_ms=spoke_ms)
        metrics.SENTENCES.inc()
        log.info(
            "sentence synthesised",
            extra={
                "event": "tts.sentence",
                "session": event.session_id,
                "turn": event.turn_id,
                "frames": seq + 1,
            },
        )

    def _frames(self, text: str) -> Iterator[bytes]:
        accumulator = FrameAccumulator()
        for chunk in self._synthesizer.synthesize_mulaw8k(text):
            yield from accumulator.push(chunk)
        yield from accumulator.flush()

    async def _publish(
        self, event: ReplySentence, frame: bytes, seq: int, last: bool, spoke_ms: int | None
    ) -> None:
        meta = OutboundAudioHeaders(
            session_id=event.session_id,
            turn_id=event.turn_id,
            segment=event.index,
            seq=seq,
            last_in_segment=last,
            last_segment=last and event.is_last,
            hangup_after=last and event.hangup_after,
            speech_ended_at_ms=spoke_ms if seq == 0 else None,
            synthesized_at_ms=int(time.time() * 1000) if seq == 0 and event.index == 0 else None,
        )
        await self._publisher.agent_audio(frame, meta, event.edge_slot)
        metrics.FRAMES.inc()

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
