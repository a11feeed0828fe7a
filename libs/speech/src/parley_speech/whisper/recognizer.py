"""Whisper behind the asynchronous recognition interface.

The shared telephone endpointer says where each utterance starts, pauses and ends; the
utterance's audio is decoded whole on the worker's decoder pool. Whisper needs a decode
after the caller stops, so the recogniser starts one as soon as they pause
(``EndpointingConfig.pause_ms``): if they stay quiet until the endpointer ends the
utterance, that decode is the final transcript, already under way; if they go on, it is
dropped. Done while they are still quiet, its words go out at once as a paused interim
(what preemptive generation starts on). Results keep their place in the call's events
while they are decoded, so every utterance's final comes after its ``SpeechStarted`` and
before the next one's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from parley_speech.speech_endpointer import (
    EndpointerConfig,
    EndpointEvent,
    InterimDue,
    SpeechBegan,
    SpeechEnded,
    SpeechPaused,
    SpeechResumed,
    TelephoneEndpointer,
)
from parley_speech.stt import (
    EndpointingConfig,
    FinalTranscript,
    InterimTranscript,
    RecognizerEvent,
    SpeechStarted,
)
from parley_speech.whisper.decoding import Decode, Decoded, DecodePool, WhisperDecoder
from parley_speech.whisper.model import WHISPER_PROVIDER, shared_model
from parley_speech.whisper.settings import WhisperSettings

# Whisper hears at most 30 s at once; longer utterances are decoded window by window.
MAX_UTTERANCE_MS = 60_000
_END = object()


@dataclass(frozen=True, slots=True)
class _Pending:
    """A transcript still being decoded, in its place among the call's events."""

    decode: asyncio.Future[Decoded]
    start_ms: int
    end_ms: int
    final: bool

    async def events(self) -> list[RecognizerEvent]:
        await asyncio.wait({self.decode})
        if self.decode.cancelled():
            return []
        decoded = self.decode.result()
        if not decoded.text:
            return []
        kind = FinalTranscript if self.final else InterimTranscript
        return [kind(decoded.text, decoded.confidence, self.start_ms, self.end_ms)]


@dataclass
class _Utterance:
    start_ms: int
    speculation: asyncio.Future[Decoded] | None = None
    """The decode started at the caller's pause, while it may still become the final."""
    interim: asyncio.Future[Decoded] | None = None


class WhisperRecognitionStream:
    def __init__(
        self, endpointer: TelephoneEndpointer, pool: DecodePool, endpointing: EndpointingConfig
    ) -> None:
        self._endpointer = endpointer
        self._pool = pool
        self._min_speech_ms = endpointing.min_speech_ms
        self._pause_ms = endpointing.pause_ms
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._utterance: _Utterance | None = None
        self._decodes: set[asyncio.Future[Decoded]] = set()
        self._done = False
        self._ended = False

    async def send(self, mulaw_frame: bytes) -> None:
        if self._done or not mulaw_frame:
            return
        self._follow(self._endpointer.feed(mulaw_frame))

    async def finish(self) -> None:
        if self._done:
            return
        self._done = True
        self._follow(self._endpointer.finish())
        self._end()

    async def close(self) -> None:
        self._done = True
        for decode in list(self._decodes):
            decode.cancel()
        self._end()

    async def events(self) -> AsyncIterator[RecognizerEvent]:
        """Raises what the decoder raised if a decode failed."""
        while (item := await self._queue.get()) is not _END:
            if isinstance(item, _Pending):
                for event in await item.events():
                    yield event
            else:
                yield item  # type: ignore[misc]

    def _end(self) -> None:
        if not self._ended:
            self._ended = True
            self._queue.put_nowait(_END)

    def _follow(self, steps: list[EndpointEvent]) -> None:
        for step in steps:
            if isinstance(step, SpeechBegan):
                self._utterance = _Utterance(step.start_ms)
                self._queue.put_nowait(SpeechStarted(offset_ms=step.start_ms))
            elif (utterance := self._utterance) is None:
                continue
            elif isinstance(step, SpeechPaused):
                self._speculate(utterance, step.at_ms)
            elif isinstance(step, SpeechResumed):
                self._drop_speculation(utterance)
            elif isinstance(step, InterimDue):
                self._interim(utterance, step.voiced_ms)
            elif isinstance(step, SpeechEnded):
                self._utterance = None
                self._final(utterance, step.end_ms)

    def _decode(self, start_ms: int, end_ms: int) -> asyncio.Future[Decoded]:
        decode = self._pool.submit(self._endpointer.audio_between(start_ms, end_ms))
        self._decodes.add(decode)
        decode.add_done_callback(self._decodes.discard)
        return decode

    def _speculate(self, utterance: _Utterance, at_ms: int) -> None:
        self._drop_speculation(utterance)
        if at_ms - utterance.start_ms < self._min_speech_ms:
            return
        decode = utterance.speculation = self._decode(utterance.start_ms, at_ms)
        speech_end_ms = at_ms - self._pause_ms
        decode.add_done_callback(lambda _: self._paused_interim(utterance, decode, speech_end_ms))

    def _paused_interim(
        self, utterance: _Utterance, decode: asyncio.Future[Decoded], end_ms: int
    ) -> None:
        """The decode started at the caller's pause is done and they are still quiet."""
        if self._utterance is not utterance or utterance.speculation is not decode:
            return
        if decode.cancelled() or decode.exception() is not None or not decode.result().text:
            return
        decoded = decode.result()
        self._queue.put_nowait(
            InterimTranscript(
                decoded.text, decoded.confidence, utterance.start_ms, end_ms, paused=True
            )
        )

    @staticmethod
    def _drop_speculation(utterance: _Utterance) -> None:
        if utterance.speculation is not None:
            utterance.speculation.cancel()
            utterance.speculation = None

    def _interim(self, utterance: _Utterance, end_ms: int) -> None:
        """Best effort: one at a time per call, none while paused (the speculation
        covers that), and none when every decoder is busy."""
        if utterance.speculation is not None or not self._pool.has_idle_decoder():
            return
        if utterance.interim is not None and not utterance.interim.done():
            return
        utterance.interim = self._decode(utterance.start_ms, end_ms)
        self._queue.put_nowait(_Pending(utterance.interim, utterance.start_ms, end_ms, False))

    def _final(self, utterance: _Utterance, end_ms: int) -> None:
        if utterance.interim is not None:
            self._pool.withdraw(utterance.interim)  # not yet started: the final says more
        if end_ms - utterance.start_ms < self._min_speech_ms:
            self._drop_speculation(utterance)
            return
        decode = utterance.speculation or self._decode(utterance.start_ms, end_ms)
        self._queue.put_nowait(_Pending(decode, utterance.start_ms, end_ms, True))


def _load_decoder(settings: WhisperSettings) -> Decode:
    decoder = WhisperDecoder(shared_model(settings.model_shape()))
    decoder.warm_up()
    return decoder.decode


class WhisperRecognizer:
    """The accurate offline engine: Whisper tiny.en, one model per process shared by all
    calls, decoded on a pool of ``PARLEY_STT_WHISPER_DECODERS`` threads."""

    name = WHISPER_PROVIDER

    def __init__(self, settings: WhisperSettings | None = None, pool: DecodePool | None = None):
        self._settings = settings or WhisperSettings()
        self._pool = pool or DecodePool(
            lambda: _load_decoder(self._settings), self._settings.decoders
        )

    async def open(self, endpointing: EndpointingConfig) -> WhisperRecognitionStream:
        """The first stream loads (and checks) the model; ``WhisperModelMismatch`` if
        the installed files are not the recorded ones."""
        await self._pool.ready()
        endpointer = TelephoneEndpointer(
            EndpointerConfig(
                silence_ms=endpointing.silence_ms,
                interim_interval_ms=self._settings.interim_interval_ms,
                pause_ms=endpointing.pause_ms,
                history_ms=MAX_UTTERANCE_MS + endpointing.silence_ms,
            )
        )
        return WhisperRecognitionStream(endpointer, self._pool, endpointing)

    async def aclose(self) -> None:
        self._pool.shutdown()
