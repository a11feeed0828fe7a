"""Where a caller's speech starts, pauses and ends in telephone audio: pocketsphinx's
voice-activity endpointer, shared by the offline recognisers.

Telephone audio (mu-law 8 kHz) is upsampled to 16 kHz, the rate the endpointer's
detector and both offline models work at. The endpointer hands speech over a window
(``silence_ms``) late, so it can tell a word's end from a breath; what it hands over is
reported as ``SpeechHeard``. A recogniser that needs the audio as it arrives (to decode
the words so far at a pause) asks for it with ``audio_between``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from parley_audio.codec import Pcm16, mulaw_decode
from parley_audio.resample import StreamResampler
from pocketsphinx import Endpointer, Vad

MODEL_RATE = 16000
ENDPOINTER_RATIO = 0.9
# The strictest of the voice-activity detector's four modes stops counting a word's
# fading tail as speech sooner: on the caller lines of bench/speech_latency.py it ends
# utterances ~70 ms earlier (median wait after the last word 470 ms instead of 540 ms)
# with the same transcripts.
ENDPOINTER_VAD_MODE = Vad.STRICT
ENDPOINTER_FRAME_S = 0.02
_BYTES_PER_MS = MODEL_RATE * 2 // 1000


@dataclass(frozen=True, slots=True)
class SpeechBegan:
    start_ms: int


@dataclass(frozen=True, slots=True)
class SpeechHeard:
    """Speech handed over by the endpointer (16 kHz 16-bit PCM); it ends at ``end_ms``."""

    pcm: bytes
    end_ms: float


@dataclass(frozen=True, slots=True)
class InterimDue:
    """``interim_interval_ms`` has passed in an utterance: time for a result so far.
    ``heard_ms`` is where the speech handed over ends; ``voiced_ms`` where the last frame
    judged speech as it arrived ends (with pause detection on; else ``heard_ms``)."""

    heard_ms: int
    voiced_ms: int


@dataclass(frozen=True, slots=True)
class SpeechPaused:
    """``pause_ms`` of silence inside an utterance, noticed with ``at_ms`` of audio fed:
    the caller may have finished, though the endpointer is not yet sure."""

    at_ms: int


@dataclass(frozen=True, slots=True)
class SpeechResumed:
    """Speech again after a ``SpeechPaused``, in the same utterance."""


@dataclass(frozen=True, slots=True)
class SpeechEnded:
    end_ms: int


EndpointEvent = SpeechBegan | SpeechHeard | InterimDue | SpeechPaused | SpeechResumed | SpeechEnded


def telephone_to_model_rate(mulaw: bytes) -> Pcm16:
    """A whole telephone recording as 16 kHz samples (not for live audio)."""
    resampler = StreamResampler(8000, MODEL_RATE)
    return np.concatenate([resampler.process(mulaw_decode(mulaw)), resampler.flush()])


@dataclass(frozen=True, slots=True)
class EndpointerConfig:
    silence_ms: int = 300
    """Trailing silence that ends an utterance (the endpointer's window)."""
    interim_interval_ms: int = 0
    """How often ``InterimDue`` comes while the caller speaks; 0 = never."""
    pause_ms: int = 0
    """Silence inside an utterance that is reported as ``SpeechPaused``; 0 = never."""
    history_ms: int = 0
    """How much of an utterance ``audio_between`` can return (outside one, only the
    endpointer's window is kept)."""


class TelephoneEndpointer:
    """One call's endpointer. Not thread-safe: feed it from one thread at a time."""

    def __init__(self, config: EndpointerConfig) -> None:
        self._config = config
        self._endpointer = Endpointer(
            window=config.silence_ms / 1000,
            ratio=ENDPOINTER_RATIO,
            vad_mode=ENDPOINTER_VAD_MODE,
            sample_rate=MODEL_RATE,
            frame_length=ENDPOINTER_FRAME_S,
        )
        # A second detector judges each frame as it arrives, for pauses shorter than
        # the endpointer's window.
        self._vad = (
            Vad(ENDPOINTER_VAD_MODE, MODEL_RATE, ENDPOINTER_FRAME_S) if config.pause_ms else None
        )
        self._frame_bytes: int = self._endpointer.frame_bytes
        self._resampler = StreamResampler(8000, MODEL_RATE)
        self._pending = bytearray()
        self._history = bytearray()
        self._history_start_ms = 0.0
        self.fed_ms = 0.0
        self._heard_ms = 0.0
        self._last_interim_ms = 0.0
        self._silent_ms = 0.0
        self._voiced_ms = 0.0
        self._paused = False

    @property
    def in_speech(self) -> bool:
        return bool(self._endpointer.in_speech)

    def feed(self, mulaw_frame: bytes) -> list[EndpointEvent]:
        pcm = self._resampler.process(mulaw_decode(mulaw_frame))
        self._pending.extend(pcm.astype("<i2").tobytes())
        self._trim_history()
        events: list[EndpointEvent] = []
        while len(self._pending) >= self._frame_bytes:
            frame = bytes(self._pending[: self._frame_bytes])
            del self._pending[: self._frame_bytes]
            if self._config.history_ms:
                self._history.extend(frame)
            events.extend(self._process(frame))
        return events

    def _process(self, frame: bytes) -> list[EndpointEvent]:
        was_in_speech = self._endpointer.in_speech
        speech = self._endpointer.process(frame)
        frame_ms = len(frame) / _BYTES_PER_MS
        self.fed_ms += frame_ms
        events: list[EndpointEvent] = []
        if self._endpointer.in_speech or speech is not None:
            events.extend(self._pause_events(frame, frame_ms))
        if speech is None:
            return events
        if not was_in_speech:
            start_ms = int(self._endpointer.speech_start * 1000)
            events.insert(0, SpeechBegan(start_ms))
            self._heard_ms = float(start_ms)
            self._voiced_ms = self._last_interim_ms = self.fed_ms
        events.append(self._heard(speech))
        if not self._endpointer.in_speech:
            events.append(self._ended(int(self._endpointer.speech_end * 1000)))
        elif self._interim_due():
            self._last_interim_ms = self.fed_ms
            voiced_ms = self._voiced_ms if self._vad is not None else self._heard_ms
            events.append(InterimDue(int(self._heard_ms), int(voiced_ms)))
        return events

    def _heard(self, speech: bytes) -> SpeechHeard:
        # The endpointer hands speech over a window late: what it has handed over ends
        # here, not at the audio fed so far.
        self._heard_ms += len(speech) / _BYTES_PER_MS
        return SpeechHeard(speech, self._heard_ms)

    def _interim_due(self) -> bool:
        interval = self._config.interim_interval_ms
        return interval > 0 and self.fed_ms - self._last_interim_ms >= interval

    def _pause_events(self, frame: bytes, frame_ms: float) -> list[EndpointEvent]:
        if self._vad is None:
            return []
        if self._vad.is_speech(frame):
            self._silent_ms = 0.0
            self._voiced_ms = self.fed_ms
            if self._paused:
                self._paused = False
                return [SpeechResumed()]
            return []
        self._silent_ms += frame_ms
        if not self._paused and self._silent_ms >= self._config.pause_ms:
            self._paused = True
            return [SpeechPaused(int(self.fed_ms))]
        return []

    def _ended(self, end_ms: int) -> SpeechEnded:
        self._silent_ms = 0.0
        self._paused = False
        return SpeechEnded(end_ms)

    def finish(self) -> list[EndpointEvent]:
        """End of the audio: the utterance in progress, if any, ends where the audio does."""
        if not self._endpointer.in_speech:
            return []
        # end_stream needs at least one sample; a single silent one changes nothing.
        tail = bytes(self._pending[: self._frame_bytes]) or b"\x00\x00"
        self._pending.clear()
        events: list[EndpointEvent] = []
        speech = self._endpointer.end_stream(tail)
        if speech:
            events.append(self._heard(speech))
        events.append(self._ended(int(self.fed_ms)))
        return events

    def _trim_history(self) -> None:
        """Before new audio: what the last feed's events may still have asked for stays.
        Outside an utterance only the endpointer's window can still turn out to be the
        start of one; inside, the utterance so far is kept, up to history_ms."""
        keep_ms = self._config.history_ms
        if not self._endpointer.in_speech:
            keep_ms = min(keep_ms, self._config.silence_ms + 2 * round(ENDPOINTER_FRAME_S * 1000))
        keep = keep_ms * _BYTES_PER_MS
        if len(self._history) > 2 * keep:
            drop = len(self._history) - keep
            del self._history[:drop]
            self._history_start_ms += drop / _BYTES_PER_MS

    def audio_between(self, start_ms: float, end_ms: float) -> bytes:
        """The 16 kHz audio fed from ``start_ms`` to ``end_ms``, as much of it as the
        history holds (everything the events of the last ``feed`` point at)."""
        first = max(0, int((start_ms - self._history_start_ms) * _BYTES_PER_MS) & ~1)
        last = max(first, int((end_ms - self._history_start_ms) * _BYTES_PER_MS) & ~1)
        return bytes(self._history[first:last])
