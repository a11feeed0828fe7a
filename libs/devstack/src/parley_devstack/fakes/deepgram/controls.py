"""What the Deepgram fake is told to say and how to misbehave, and what it saw. Tests
set the cues directly; every counter is updated as requests arrive."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field


@dataclass
class EndpointFaults:
    """Handshake or request failures for one endpoint, consumed one per request."""

    reject_next: int = 0
    """Answer the next N requests with ``reject_status`` (a transient outage)."""
    reject_status: int = 503
    rate_limit_next: int = 0
    """Answer the next N requests with 429 and ``retry-after``."""
    retry_after: str = "1"
    attempts: int = 0
    """Every request that arrived, refused or not."""

    def fault(self) -> tuple[int, dict[str, str]] | None:
        if self.rate_limit_next > 0:
            self.rate_limit_next -= 1
            return 429, {"retry-after": self.retry_after}
        if self.reject_next > 0:
            self.reject_next -= 1
            return self.reject_status, {}
        return None


@dataclass
class SpeakRecord:
    text_chars: int
    query: dict[str, str]
    bytes_total: int
    bytes_sent: int = 0
    completed: bool = False
    cancelled: bool = False
    """The client went away before the audio was all sent."""
    ended_at: float | None = None


@dataclass
class DeepgramFakeControls:
    api_key: str = "test-key"
    script: deque[str] = field(default_factory=deque)
    """What the caller says, one entry per utterance, taken in order as utterances end."""
    drop_after_ms: int | None = None
    """Drop the next listen connection abruptly (no close frame) once it has received
    this much audio; a one-shot cue."""
    idle_timeout_s: float = 10.0
    """Close a listen socket with 1011 NET-0001 after this long without audio or
    KeepAlive, as Deepgram does."""
    segment_ms: int = 2000
    """Emit an ``is_final`` segment (``speech_final=false``) every this much speech."""
    first_byte_ms: int = 40
    """TTS: delay before the first audio chunk."""
    chunk_interval_s: float = 0.02
    """TTS: pause between 200 ms chunks (ten times faster than real time)."""
    listen: EndpointFaults = field(default_factory=EndpointFaults)
    speak: EndpointFaults = field(default_factory=EndpointFaults)

    listen_queries: list[dict[str, str]] = field(default_factory=list)
    connected_at: list[float] = field(default_factory=list)
    dropped_at: list[float] = field(default_factory=list)
    keepalives: int = 0
    finalizes: int = 0
    close_streams: int = 0
    idle_closes: int = 0
    speak_records: list[SpeakRecord] = field(default_factory=list)

    def say(self, *utterances: str) -> None:
        self.script.extend(utterances)

    def take_drop(self) -> int | None:
        drop, self.drop_after_ms = self.drop_after_ms, None
        return drop

    def note_drop(self) -> None:
        self.dropped_at.append(time.monotonic())
