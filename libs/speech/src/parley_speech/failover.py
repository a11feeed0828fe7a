"""A secondary provider that takes over when the primary keeps failing.

Each wrapper shares one circuit breaker per primary provider: a call that loses the
primary for good (reconnection gave up, or it could not connect at all) counts as a
failure, and while the circuit is open new calls go straight to the secondary. A call
in progress moves to the secondary with its unconfirmed audio replayed, so it goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator

from parley_audio import MULAW_8K
from parley_resilience import CircuitBreaker, CircuitOpenError

from parley_speech.errors import SpeechProviderError
from parley_speech.recognition import RecognitionStream, SpeechRecognizer
from parley_speech.resilient_stream import shifted
from parley_speech.stt import EndpointingConfig, FinalTranscript, RecognizerEvent
from parley_speech.synthesis import SpeechSynthesizer, SynthesisRequest, mulaw_frames
from parley_speech.unconfirmed_audio import UnconfirmedAudio

log = logging.getLogger(__name__)
_END = object()


def _log_failover(kind: str, primary: str, secondary: str, reason: object) -> None:
    log.warning(
        f"{kind} falling back from {primary} to {secondary}",
        extra={
            "event": f"{kind}.failover",
            "provider": primary,
            "secondary": secondary,
            "error": str(reason),
        },
    )


class FailoverRecognizer:
    def __init__(
        self,
        primary: SpeechRecognizer,
        secondary: SpeechRecognizer,
        breaker: CircuitBreaker | None = None,
        max_buffered_ms: int = 60_000,
    ) -> None:
        self.primary = primary
        self.secondary = secondary
        self.name = primary.name
        self.breaker = breaker or CircuitBreaker(f"stt provider {primary.name}")
        self._max_buffered_ms = max_buffered_ms

    async def open(self, endpointing: EndpointingConfig) -> FailoverRecognitionStream:
        try:
            self.breaker.before_call()
        except CircuitOpenError as exc:
            _log_failover("stt", self.primary.name, self.secondary.name, exc)
            stream = await self.secondary.open(endpointing)
            return FailoverRecognitionStream(self, endpointing, stream, on_primary=False)
        try:
            stream = await self.primary.open(endpointing)
        except SpeechProviderError as exc:
            self.breaker.record_failure()
            _log_failover("stt", self.primary.name, self.secondary.name, exc)
            stream = await self.secondary.open(endpointing)
            return FailoverRecognitionStream(self, endpointing, stream, on_primary=False)
        self.breaker.record_success()
        return FailoverRecognitionStream(self, endpointing, stream, on_primary=True)

    async def aclose(self) -> None:
        await self.primary.aclose()
        await self.secondary.aclose()


class FailoverRecognitionStream:
    def __init__(
        self,
        owner: FailoverRecognizer,
        endpointing: EndpointingConfig,
        stream: RecognitionStream,
        on_primary: bool,
    ) -> None:
        self._owner = owner
        self._endpointing = endpointing
        self._stream = stream
        self.on_primary = on_primary
        self._audio = UnconfirmedAudio(owner._max_buffered_ms)
        self._base_ms = 0
        self._switching = False
        self._finishing = False
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._pump = asyncio.create_task(self._run())

    async def send(self, mulaw_frame: bytes) -> None:
        self._audio.append(mulaw_frame)
        if not self._switching:
            await self._stream.send(mulaw_frame)

    async def finish(self) -> None:
        self._finishing = True
        if not self._switching:
            await self._stream.finish()

    async def close(self) -> None:
        self._pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._pump
        with contextlib.suppress(Exception):
            await self._stream.close()

    async def events(self) -> AsyncIterator[RecognizerEvent]:
        while (item := await self._queue.get()) is not _END:
            if isinstance(item, SpeechProviderError):
                raise item
            yield item  # type: ignore[misc]

    async def _run(self) -> None:
        while True:
            try:
                async for event in self._stream.events():
                    event = shifted(event, self._base_ms)
                    if isinstance(event, FinalTranscript):
                        self._audio.confirm(event.end_ms)
                    self._queue.put_nowait(event)
                self._queue.put_nowait(_END)
                return
            except SpeechProviderError as exc:
                if not self.on_primary:
                    self._queue.put_nowait(exc)
                    return
                self._owner.breaker.record_failure()
                _log_failover("stt", self._owner.primary.name, self._owner.secondary.name, exc)
                try:
                    await self._switch_to_secondary()
                except SpeechProviderError as second:
                    self._queue.put_nowait(second)
                    return

    async def _switch_to_secondary(self) -> None:
        self._switching = True
        with contextlib.suppress(Exception):
            await self._stream.close()
        self._stream = await self._owner.secondary.open(self._endpointing)
        self.on_primary = False
        self._base_ms = self._audio.start_ms  # the secondary's times start here
        await self._audio.replay(self._stream.send)
        self._switching = False
        if self._finishing:
            await self._stream.finish()


class FailoverSynthesizer:
    """Output is already normalised to mu-law 8 kHz (the two providers' formats differ).
    A sentence whose primary synthesis fails before any audio is spoken by the secondary
    in its default voice; a failure after audio has been sent ends the sentence there."""

    output_format = MULAW_8K

    def __init__(
        self,
        primary: SpeechSynthesizer,
        secondary: SpeechSynthesizer,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.primary = primary
        self.secondary = secondary
        self.name = primary.name
        self.default_voice = primary.default_voice
        self.breaker = breaker or CircuitBreaker(f"tts provider {primary.name}")

    def voices(self) -> frozenset[str]:
        return self.primary.voices()

    async def stream(self, request: SynthesisRequest) -> AsyncGenerator[bytes, None]:
        spoke = False
        try:
            self.breaker.before_call()
            async with contextlib.aclosing(mulaw_frames(self.primary, request)) as frames:
                async for frame in frames:
                    spoke = True
                    yield frame
            self.breaker.record_success()
            return
        except CircuitOpenError as exc:
            reason: object = exc
        except SpeechProviderError as exc:
            self.breaker.record_failure()
            if spoke:
                raise
            reason = exc
        _log_failover("tts", self.primary.name, self.secondary.name, reason)
        fallback = SynthesisRequest(request.text, self.secondary.default_voice, request.speed)
        async with contextlib.aclosing(mulaw_frames(self.secondary, fallback)) as frames:
            async for frame in frames:
                yield frame

    async def aclose(self) -> None:
        await self.primary.aclose()
        await self.secondary.aclose()
