"""Consumes caller audio and call lifecycle, emits transcripts."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from parley_bus import BusPublisher
from parley_contracts import (
    TRANSCRIPTS,
    AudioHeaderError,
    CallEnded,
    CallEvent,
    InboundAudioHeaders,
    SessionClosed,
    SpeechStarted,
    Transcript,
)
from parley_speech import (
    FinalTranscript,
    InterimTranscript,
    RecognizerEvent,
    RecognizerFactory,
)
from parley_speech import SpeechStarted as EngineSpeechStarted
from parley_telemetry import tracer

from parley_stt import metrics
from parley_stt.call_recognition import CallRecognition

log = logging.getLogger(__name__)
ENDED_CALLS_REMEMBERED = 10_000


class SpeechToTextWorker:
    def __init__(
        self, factory: RecognizerFactory, publisher: BusPublisher, max_frame_age_ms: int = 2000
    ) -> None:
        self._factory = factory
        self._max_frame_age_ms = max_frame_age_ms
        self._publisher = publisher
        self._calls: dict[str, CallRecognition] = {}
        self._ended: OrderedDict[str, None] = OrderedDict()
        # One thread keeps a call's frames in order and the event loop free.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stt-engine")

    async def on_audio(self, frame: bytes, headers: dict[str, str]) -> None:
        try:
            meta = InboundAudioHeaders.from_headers(headers)
        except AudioHeaderError as exc:
            log.warning(
                "skipping caller frame", extra={"event": "stt.bad_frame", "error": str(exc)}
            )
            return
        metrics.FRAMES.inc()
        age_ms = time.time() * 1000 - meta.received_at_ms
        metrics.FRAME_DELAY.observe(max(0, age_ms))
        if age_ms > self._max_frame_age_ms:
            # Recovery must not play catch-up: the caller has moved on from this audio.
            metrics.STALE_FRAMES.inc()
            return
        if meta.session_id in self._ended:
            metrics.LATE_FRAMES.inc()
            return
        call = self._calls.get(meta.session_id)
        if call is None:
            call = await self._open(meta)
        loop = asyncio.get_running_loop()
        events = await loop.run_in_executor(self._executor, call.feed, frame, meta.received_at_ms)
        for event in events:
            await self._emit(call, event)

    async def on_call_event(self, event: CallEvent | None) -> None:
        if isinstance(event, CallEnded | SessionClosed):
            await self._finish(event.session_id)

    async def _open(self, meta: InboundAudioHeaders) -> CallRecognition:
        loop = asyncio.get_running_loop()
        recognizer = await loop.run_in_executor(self._executor, self._factory.create)
        call = CallRecognition(meta.session_id, meta.edge_slot, recognizer)
        self._calls[meta.session_id] = call
        metrics.ACTIVE_RECOGNIZERS.set(len(self._calls))
        log.info("recogniser opened", extra={"event": "stt.opened", "session": meta.session_id})
        return call

    async def _finish(self, session_id: str) -> None:
        self._ended[session_id] = None
        while len(self._ended) > ENDED_CALLS_REMEMBERED:
            self._ended.popitem(last=False)
        call = self._calls.pop(session_id, None)
        if call is None:
            return
        loop = asyncio.get_running_loop()
        events = await loop.run_in_executor(self._executor, call.recognizer.finish)
        for event in events:
            await self._emit(call, event)
        await loop.run_in_executor(self._executor, call.recognizer.close)
        metrics.ACTIVE_RECOGNIZERS.set(len(self._calls))
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

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
