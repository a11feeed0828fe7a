"""The streaming speech-recognition interface every engine implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    """The caller started speaking (``offset_ms`` into the audio fed so far)."""

    offset_ms: int


@dataclass(frozen=True, slots=True)
class InterimTranscript:
    text: str
    confidence: float
    start_ms: int
    end_ms: int
    paused: bool = False
    """Sent because the caller went quiet (``pause_ms``), not on the interim interval."""


@dataclass(frozen=True, slots=True)
class FinalTranscript:
    """The end of an utterance and what was said; ``end_ms`` is where speech ended."""

    text: str
    confidence: float
    start_ms: int
    end_ms: int


RecognizerEvent = SpeechStarted | InterimTranscript | FinalTranscript


@dataclass(frozen=True, slots=True)
class EndpointingConfig:
    min_speech_ms: int = 200
    """Utterances shorter than this are noise, not speech."""
    silence_ms: int = 300
    """Trailing silence that ends an utterance (300 ms keeps replies snappy without
    cutting ordinary phrases; raise it for callers who pause mid-sentence)."""
    interim_interval_ms: int = 300
    """How often interim transcripts are produced while the caller speaks."""
    pause_ms: int = 120
    """Silence after which the words so far are sent as a paused interim (what
    preemptive generation starts on); 0 = never. Below ``silence_ms``."""


class StreamingRecognizer(Protocol):
    """One call's recogniser. Fed 20 ms mu-law 8 kHz frames in order; synchronous."""

    def feed(self, mulaw_frame: bytes) -> list[RecognizerEvent]: ...

    def finish(self) -> list[RecognizerEvent]:
        """End of the call: finalise any utterance in progress."""
        ...

    def close(self) -> None: ...


class RecognizerFactory(Protocol):
    def create(self) -> StreamingRecognizer: ...
