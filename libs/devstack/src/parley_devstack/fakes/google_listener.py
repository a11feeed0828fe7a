"""What the Google Speech fake "hears": utterances found by loudness in the audio it is
sent, each given the next line of a script, reported the way Google reports them
(speech-activity events, interim results that grow word by word, one final result).
Times come from the audio itself, so they are as real as the caller's speech."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from google.cloud.speech_v1 import (
    SpeechRecognitionAlternative,
    StreamingRecognitionResult,
    StreamingRecognizeResponse,
)
from parley_audio import FRAME_BYTES, FRAME_MS, is_speech_like

from parley_devstack.fakes.caller_script import CallerScript

SpeechEvent = StreamingRecognizeResponse.SpeechEventType


@dataclass(frozen=True, slots=True)
class ListeningConfig:
    silence_ms: int = 600
    """Quiet that ends an utterance."""
    min_speech_ms: int = 100
    """Shorter bursts are clicks, not speech: no transcript."""
    interim_every_ms: int = 300
    """An interim result, one more word of the line, this often while speech goes on."""
    voice_events: bool = True
    interim_results: bool = True


def _at(ms: int) -> timedelta:
    return timedelta(milliseconds=ms)


def _result(text: str, end_ms: int, final: bool) -> StreamingRecognizeResponse:
    alternative = SpeechRecognitionAlternative(transcript=text, confidence=0.92 if final else 0.0)
    result = StreamingRecognitionResult(
        alternatives=[alternative],
        is_final=final,
        stability=0.0 if final else 0.8,
        result_end_time=_at(end_ms),
        language_code="en-us",
    )
    return StreamingRecognizeResponse(results=[result])


def _event(kind: int, at_ms: int) -> StreamingRecognizeResponse:
    return StreamingRecognizeResponse(speech_event_type=kind, speech_event_time=_at(at_ms))


class ScriptedListener:
    """One per stream, turning its audio into Google's responses."""

    def __init__(self, script: CallerScript, config: ListeningConfig) -> None:
        self._script = script
        self._config = config
        self._pending = b""
        self.audio_ms = 0
        self.in_utterance = False
        self.utterance_speech_ms = 0
        self._start_ms = 0
        self._last_speech_ms = 0
        self._next_interim_ms = 0
        self._first_frame = b""

    def feed(self, audio: bytes) -> list[StreamingRecognizeResponse]:
        data = self._pending + audio
        whole = len(data) - len(data) % FRAME_BYTES
        self._pending = data[whole:]
        responses: list[StreamingRecognizeResponse] = []
        for offset in range(0, whole, FRAME_BYTES):
            responses.extend(self._frame(data[offset : offset + FRAME_BYTES]))
        return responses

    def finish(self) -> list[StreamingRecognizeResponse]:
        """The client half-closed: finalise the utterance in progress, as Google does."""
        return self._end_utterance() if self.in_utterance else []

    def _frame(self, frame: bytes) -> list[StreamingRecognizeResponse]:
        start = self.audio_ms
        self.audio_ms += FRAME_MS
        speech = is_speech_like(frame)
        if not self.in_utterance:
            return self._begin(start, frame) if speech else []
        if speech:
            self._last_speech_ms = self.audio_ms
            self.utterance_speech_ms += FRAME_MS
        if self.audio_ms - self._last_speech_ms >= self._config.silence_ms:
            return self._end_utterance()
        if speech and self.audio_ms >= self._next_interim_ms:
            self._next_interim_ms += self._config.interim_every_ms
            return self._interim()
        return []

    def _begin(self, start_ms: int, frame: bytes) -> list[StreamingRecognizeResponse]:
        self.in_utterance = True
        self._first_frame = frame
        self._start_ms = start_ms
        self._last_speech_ms = self.audio_ms
        self.utterance_speech_ms = FRAME_MS
        self._next_interim_ms = start_ms + self._config.interim_every_ms
        if not self._config.voice_events:
            return []
        return [_event(SpeechEvent.SPEECH_ACTIVITY_BEGIN, start_ms)]

    def _interim(self) -> list[StreamingRecognizeResponse]:
        line = self._script.line_for(self._first_frame)
        if not self._config.interim_results or line is None:
            return []
        words = line.split()
        heard = max(1, (self.audio_ms - self._start_ms) // self._config.interim_every_ms)
        return [_result(" ".join(words[:heard]), self.audio_ms, final=False)]

    def _end_utterance(self) -> list[StreamingRecognizeResponse]:
        self.in_utterance = False
        end = self._last_speech_ms
        responses: list[StreamingRecognizeResponse] = []
        if self._config.voice_events:
            responses.append(_event(SpeechEvent.SPEECH_ACTIVITY_END, end))
        if self.utterance_speech_ms >= self._config.min_speech_ms:
            line = self._script.line_for(self._first_frame)
            if line is not None:
                responses.append(_result(line, end, final=True))
        return responses
