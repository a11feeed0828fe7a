"""Consumes caller audio and call lifecycle, emits transcripts."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from datetime import UTC, datetime

from parley_bus import BusPublisher
from parley_contracts import (
    MAX_CALLER_FRAME_BYTES,
    TRANSCRIPTS,
    AudioHeaderError,
    CallEnded,
    CallEvent,
    CallStarted,
    InboundAudioHeaders,
    SessionClosed,
    SpeechStarted,
    Transcript,
)
from parley_speech import (
    EndpointingConfig,
    FinalTranscript,
    InterimTranscript,
    RecognizerEvent,
    SpeechProviderError,
    SpeechRecognizer,
)
from parley_speech import SpeechStarted as EngineSpeechStarted
from parley_speech.provider_choice import ProviderChoice
from parley_telemetry import tracer

from parley_stt import metrics
from parley_stt.call_recognition import CallRecognition
from parley_stt.frame_age import FrameAgeLimits, FrameVerdict
from parley_stt.session_gate import SessionGate

log = logging.getLogger(__name__)
ENDED_CALLS_REMEMBERED = 10_000
REOPEN_AFTER_S = 2.0
"""After a call's provider could not be opened, its frames are skipped this long."""
REFUSE_FOR_S = 10.0
"""Audio for a session that is not live is refused this long before it is checked again."""


class SpeechToTextWorker:
    def __init__(
        self,
        recognizers: ProviderChoice[SpeechRecognizer],
        publisher: BusPublisher,
        endpointing: EndpointingConfig | None = None,
        frame_age: FrameAgeLimits | None = None,
        finish_timeout_s: float = 5.0,
        gate: SessionGate | None = None,
    ) -> None:
        self._gate = gate or SessionGate(store=None)
        self._recognizers = recognizers
        self._endpointing = endpointing or EndpointingConfig()
        self._frame_age = frame_age or FrameAgeLimits()
        self._finish_timeout_s = finish_timeout_s
        self._publisher = publisher
        self._calls: dict[str, CallRecognition] = {}
        self._ended: OrderedDict[str, None] = OrderedDict()
        self._unavailable_until: dict[str, float] = {}
        self._refused_until: OrderedDict[str, float] = OrderedDict()
        self._reported_bad: set[str] = set()

    async def on_audio(self, frame: bytes, headers: dict[str, str]) -> None:
        try:
            meta = InboundAudioHeaders.from_headers(headers)
        except AudioHeaderError as exc:
            self._bad_frame("headers", str(exc))
            return
        if not 0 < len(frame) <= MAX_CALLER_FRAME_BYTES:
            self._bad_frame("size", f"{len(frame)} bytes, expected 1-{MAX_CALLER_FRAME_BYTES}")
            return
        metrics.FRAMES.inc()
        age_ms = time.time() * 1000 - meta.received_at_ms
        metrics.FRAME_DELAY.observe(max(0, age_ms))
        if meta.session_id in self._ended:
            metrics.LATE_FRAMES.inc()
            return
        if time.monotonic() < self._refused_until.get(meta.session_id, 0.0):
            metrics.REFUSED_FRAMES.inc()
            return
        call = self._calls.get(meta.session_id)
        verdict = self._frame_age.judge(age_ms, held=call is not None)
        if verdict is not FrameVerdict.RECOGNISE:
            metrics.skipped_frame(verdict)
            return
        if call is None:
            call = await self._open(meta)
            if call is None:
                return
        await call.send(frame, meta.received_at_ms)

    async def on_call_event(self, event: CallEvent | None) -> None:
        if isinstance(event, CallStarted):
            self._gate.started(event.session_id)
        elif isinstance(event, CallEnded | SessionClosed):
            self._gate.ended(event.session_id)
            await self._finish(event.session_id)

    def _bad_frame(self, kind: str, error: str) -> None:
        """Counted every time, logged once per kind: a flood must not flood the logs."""
        metrics.BAD_FRAMES.labels(kind=kind).inc()
        if kind not in self._reported_bad:
            self._reported_bad.add(kind)
            log.warning(
                "skipping malformed caller frames (logged once per kind; see stt_bad_frames_total)",
                extra={"event": "stt.bad_frame", "kind": kind, "error": error[:200]},
            )

    def _refuse(self, call: CallRecognition) -> None:
        self._forget(call)
        first = call.session_id not in self._refused_until
        self._refused_until[call.session_id] = time.monotonic() + REFUSE_FOR_S
        while len(self._refused_until) > ENDED_CALLS_REMEMBERED:
            self._refused_until.popitem(last=False)
        metrics.REFUSED_SESSIONS.inc()
        if first:
            log.warning(
                "refusing audio for a session that is not active",
                extra={"event": "stt.session_refused", "session": call.session_id[:64]},
            )

    async def _open(self, meta: InboundAudioHeaders) -> CallRecognition | None:
        """Starts opening the call's recognition in the background: connecting to a
        provider (and retrying it) must not hold up the other calls' audio. Frames that
        arrive meanwhile are buffered and sent once the stream is open."""
        session_id = meta.session_id
        if time.monotonic() < self._unavailable_until.get(session_id, 0.0):
            metrics.UNRECOGNISED_FRAMES.inc()
            return None
        name = meta.stt_provider or self._recognizers.default
        try:
            recognizer = self._recognizers.get(name)
        except (SpeechProviderError, ValueError) as exc:
            self._cannot_recognise(session_id, name, exc)
            return None
        call = CallRecognition(session_id, meta.edge_slot, name)
        call.pump = asyncio.create_task(self._run(call, recognizer), name=f"stt-{session_id}")
        self._calls[session_id] = call
        metrics.ACTIVE_RECOGNIZERS.set(len(self._calls))
        return call

    def _cannot_recognise(self, session_id: str, provider: str, exc: Exception) -> None:
        # Retry a little later rather than on every 20 ms frame.
        self._unavailable_until[session_id] = time.monotonic() + REOPEN_AFTER_S
        metrics.PROVIDER_ERRORS.labels(provider=provider, kind=type(exc).__name__).inc()
        metrics.UNRECOGNISED_FRAMES.inc()
        log.error(
            "cannot recognise this call's speech",
            extra={
                "event": "stt.provider_failed",
                "session": session_id,
                "provider": provider,
                "error": str(exc),
            },
        )

    def _forget(self, call: CallRecognition) -> None:
        if self._calls.get(call.session_id) is call:
            del self._calls[call.session_id]
            metrics.ACTIVE_RECOGNIZERS.set(len(self._calls))

    async def _run(self, call: CallRecognition, recognizer: SpeechRecognizer) -> None:
        """Opens the stream and publishes what the provider recognises. A provider lost
        for good ends this stream, and the call's next frame opens a new one (on the
        fallback provider if the primary's circuit has opened)."""
        if not await self._gate.confirm(call.session_id):
            self._refuse(call)
            return
        try:
            stream = await recognizer.open(self._endpointing)
        except SpeechProviderError as exc:
            self._forget(call)
            self._cannot_recognise(call.session_id, call.provider, exc)
            return
        self._unavailable_until.pop(call.session_id, None)
        log.info(
            "recogniser opened",
            extra={"event": "stt.opened", "session": call.session_id, "provider": call.provider},
        )
        try:
            await call.attach(stream)
            if call.finishing:
                await stream.finish()
            async for event in stream.events():
                await self._emit(call, event)
        except SpeechProviderError as exc:
            metrics.PROVIDER_ERRORS.labels(provider=call.provider, kind=type(exc).__name__).inc()
            log.error(
                "speech provider lost mid-call",
                extra={
                    "event": "stt.provider_lost",
                    "session": call.session_id,
                    "provider": call.provider,
                    "error": str(exc),
                },
            )
            self._forget(call)
        finally:
            # A finishing call's stream is closed by _finish once its last words are out.
            if not call.finishing or call.stream is None:
                await stream.close()

    async def _finish(self, session_id: str) -> None:
        self._ended[session_id] = None
        while len(self._ended) > ENDED_CALLS_REMEMBERED:
            self._ended.popitem(last=False)
        self._unavailable_until.pop(session_id, None)
        call = self._calls.pop(session_id, None)
        if call is None:
            return
        metrics.ACTIVE_RECOGNIZERS.set(len(self._calls))
        call.finishing = True
        if call.stream is not None:
            await call.stream.finish()
        if call.pump is not None:
            # The last words of the call are still published if the provider is quick.
            done, _ = await asyncio.wait({call.pump}, timeout=self._finish_timeout_s)
            if not done:
                call.pump.cancel()
        if call.stream is not None:
            await call.stream.close()
        log.info("recogniser closed", extra={"event": "stt.closed", "session": session_id})

    async def _emit(self, call: CallRecognition, event: RecognizerEvent) -> None:
        if isinstance(event, EngineSpeechStarted):
            metrics.TRANSCRIPTS.labels(kind="speech_started").inc()
            await self._publisher.event(
                TRANSCRIPTS,
                SpeechStarted(
                    session_id=call.session_id, edge_slot=call.edge_slot, offset_ms=event.offset_ms
                ),
            )
            return
        is_final = isinstance(event, FinalTranscript)
        assert isinstance(event, FinalTranscript | InterimTranscript)
        ended_at = None
        if is_final:
            received = call.received_at(event.end_ms)
            if received is not None:
                ended_at = datetime.fromtimestamp(received / 1000, UTC)
                metrics.STT_LATENCY.observe(max(0, time.time() * 1000 - received))
        metrics.TRANSCRIPTS.labels(kind="final" if is_final else "interim").inc()
        transcript = Transcript(
            session_id=call.session_id,
            edge_slot=call.edge_slot,
            text=event.text,
            confidence=min(1.0, max(0.0, event.confidence)),
            is_final=is_final,
            start_ms=event.start_ms,
            end_ms=event.end_ms,
            speech_ended_at=ended_at,
            paused=isinstance(event, InterimTranscript) and event.paused,
        )
        if not is_final:
            await self._publisher.event(TRANSCRIPTS, transcript)
            return
        started = call.received_at(event.start_ms)
        with tracer().start_as_current_span(
            "stt.utterance",
            start_time=started * 1_000_000 if started is not None else None,
            attributes={
                "parley.session_id": call.session_id,
                "parley.words": len(event.text.split()),
            },
        ):
            await self._publisher.event(TRANSCRIPTS, transcript)
        log.info(
            "utterance transcribed",
            extra={
                "event": "stt.final",
                "session": call.session_id,
                "words": len(event.text.split()),
            },
        )

    async def shutdown(self) -> None:
        for session_id in list(self._calls):
            call = self._calls.pop(session_id)
            if call.pump is not None:
                call.pump.cancel()
            if call.stream is not None:
                await call.stream.close()
        await self._recognizers.aclose()
