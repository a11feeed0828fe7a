"""Synthesises reply sentences into 20 ms mu-law frames for the call's edge.

Every sentence, whichever provider speaks it, is first bounded (``bound_text``): a long
one is synthesised chunk by chunk, one chunk at a time, all of it as one segment, and
text past the cap is refused (logged and counted), so no event can make a provider hold
an unbounded utterance in memory.
"""

from __future__ import annotations

import contextlib
import logging
import time
import zlib
from collections.abc import AsyncGenerator

from opentelemetry import trace
from parley_audio import AudioFormatError, silence_frame
from parley_bus import BusPublisher
from parley_contracts import OutboundAudioHeaders, ReplyCancelled, ReplyEvent, ReplySentence
from parley_speech import (
    SpeechProviderError,
    SpeechSynthesizer,
    SynthesisRequest,
    TextLimits,
    bound_text,
    choose_voice,
    mulaw_frames,
)
from parley_speech.provider_choice import ProviderChoice
from parley_telemetry import tracer

from parley_tts import metrics
from parley_tts.turn_guard import TurnGuard

log = logging.getLogger(__name__)


class TextToSpeechWorker:
    def __init__(
        self,
        synthesizers: ProviderChoice[SpeechSynthesizer],
        publisher: BusPublisher,
        voice: str | None = None,
        speed: float = 1.0,
        limits: TextLimits | None = None,
    ) -> None:
        self._synthesizers = synthesizers
        self._publisher = publisher
        self._voice = voice
        self._speed = speed
        self._limits = limits or TextLimits()
        self._turns = TurnGuard()

    async def warm_up(self) -> None:
        """Synthesise a short phrase once with the default provider, and drop it."""
        synthesizer = self._synthesizers.get()
        request = SynthesisRequest("Hello.", choose_voice(synthesizer, self._voice).voice)
        async with contextlib.aclosing(mulaw_frames(synthesizer, request)) as frames:
            async for _ in frames:
                pass

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

    def _synthesizer_for(self, event: ReplySentence) -> SpeechSynthesizer:
        try:
            return self._synthesizers.get(event.tts_provider)
        except (ValueError, SpeechProviderError) as exc:
            log.error(
                "the call's speech provider is unavailable; using the default",
                extra={
                    "event": "tts.provider_unavailable",
                    "session": event.session_id,
                    "provider": event.tts_provider,
                    "error": str(exc),
                },
            )
            return self._synthesizers.get()

    async def _synthesise(self, event: ReplySentence) -> None:
        started = time.perf_counter()
        synthesizer = self._synthesizer_for(event)
        voice = choose_voice(synthesizer, event.voice or self._voice).voice
        chunks = self._speakable(event)
        spoke_ms = int(event.speech_ended_at.timestamp() * 1000) if event.speech_ended_at else None
        seq = 0
        pending: bytes | None = None
        try:
            async with contextlib.aclosing(self._frames(synthesizer, voice, chunks)) as frames:
                # Hold one frame back so the segment's last frame can be flagged as such.
                async for frame in frames:
                    if self._turns.is_dead(event.session_id, event.turn_id):
                        metrics.SKIPPED_SENTENCES.inc()
                        return  # leaving the block closes the provider's stream
                    if pending is not None:
                        await self._publish(event, pending, seq, last=False, spoke_ms=spoke_ms)
                        if seq == 0:
                            metrics.FIRST_BYTE.observe((time.perf_counter() - started) * 1000)
                            trace.get_current_span().add_event("first_byte")
                        seq += 1
                    pending = frame
        except (SpeechProviderError, AudioFormatError) as exc:
            # Close the segment anyway so the edge's playback marks stay in step.
            metrics.PROVIDER_ERRORS.labels(provider=synthesizer.name, kind=type(exc).__name__).inc()
            log.error(
                "speech synthesis failed",
                extra={
                    "event": "tts.provider_failed",
                    "session": event.session_id,
                    "turn": event.turn_id,
                    "provider": synthesizer.name,
                    "error": str(exc),
                },
            )
        if pending is None:
            pending = silence_frame()  # an empty sentence still closes its segment with a mark
        await self._publish(event, pending, seq, last=True, spoke_ms=spoke_ms)
        metrics.SENTENCES.inc()
        log.info(
            "sentence synthesised",
            extra={
                "event": "tts.sentence",
                "session": event.session_id,
                "turn": event.turn_id,
                "frames": seq + 1,
                "chunks": len(chunks),
                "provider": synthesizer.name,
            },
        )

    def _speakable(self, event: ReplySentence) -> tuple[str, ...]:
        """The chunks of the sentence to synthesise; what is past the cap is refused."""
        text = bound_text(event.text, self._limits)
        if text.refused_chars:
            metrics.TRUNCATED_SENTENCES.inc()
            metrics.REFUSED_CHARS.inc(text.refused_chars)
            log.warning(
                "reply sentence too long to speak in full; the rest is not synthesised",
                extra={
                    "event": "tts.text_refused",
                    "session": event.session_id,
                    "turn": event.turn_id,
                    "segment": event.index,
                    "chars": len(event.text),
                    "spoken_chars": text.spoken_chars,
                    "refused_chars": text.refused_chars,
                    "max_sentence_chars": self._limits.total_chars,
                },
            )
        return text.chunks

    async def _frames(
        self, synthesizer: SpeechSynthesizer, voice: str, chunks: tuple[str, ...]
    ) -> AsyncGenerator[bytes, None]:
        """The frames of each chunk in turn: a chunk is asked for only once the frames
        of the one before it are published, so the provider holds one chunk at a time."""
        for chunk in chunks:
            request = SynthesisRequest(chunk, voice, self._speed)
            async with contextlib.aclosing(mulaw_frames(synthesizer, request)) as frames:
                async for frame in frames:
                    yield frame

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
            text_id=f"{zlib.crc32(event.text.encode()):08x}",
        )
        await self._publisher.agent_audio(frame, meta, event.edge_slot)
        metrics.FRAMES.inc()

    async def shutdown(self) -> None:
        await self._synthesizers.aclose()
