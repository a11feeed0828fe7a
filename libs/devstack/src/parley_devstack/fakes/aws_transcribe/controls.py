"""What the Transcribe fake is told to say and how to misbehave, and what it saw. Tests
set the cues directly; the records fill in as streams arrive."""

from __future__ import annotations

from dataclasses import dataclass, field

from parley_devstack.fakes.aws_transcribe.listener import ListeningConfig
from parley_devstack.fakes.caller_script import CallerScript


@dataclass
class StreamFaults:
    """Failures for the next streams, each cue consumed one stream at a time."""

    refuse_next: int = 0
    """Answer the next N requests with HTTP ``refuse_status`` and ``refuse_type``."""
    refuse_status: int = 503
    refuse_type: str = "ServiceUnavailableException"
    fail_next: int = 0
    """End the next N streams with a ``fail_type`` exception event once they have
    carried ``fail_after_ms`` of audio (the HTTP answer was 200)."""
    fail_type: str = "InternalFailureException"
    fail_after_ms: int = 500
    drop_next: int = 0
    """Cut the next N streams' TCP connections, no goodbye, after ``drop_after_ms``."""
    drop_after_ms: int = 500

    def refusal(self) -> tuple[int, str] | None:
        if self.refuse_next <= 0:
            return None
        self.refuse_next -= 1
        return self.refuse_status, self.refuse_type

    def take_failure(self) -> tuple[str, int] | None:
        if self.fail_next <= 0:
            return None
        self.fail_next -= 1
        return self.fail_type, self.fail_after_ms

    def take_drop(self) -> int | None:
        if self.drop_next <= 0:
            return None
        self.drop_next -= 1
        return self.drop_after_ms


@dataclass
class StreamRecord:
    """One ``/stream-transcription`` request as the fake saw it."""

    headers: dict[str, str]
    status: int = 200
    audio_events: int = 0
    audio_bytes: int = 0
    ended_by_client: bool = False
    """The client sent the empty signed event that ends its audio."""
    exception: str | None = None
    """The exception event the stream ended with, if any."""
    dropped: bool = False
    """The fake cut the connection (a ``drop_next`` cue)."""
    disconnected: bool = False
    """The client went away (reset the stream or closed the connection) mid-stream."""


@dataclass
class TranscribeFakeControls:
    access_key_id: str = "AKIAPARLEYLOCALFAKE1"
    """The only access key the fake knows; any other is refused as AWS would."""
    region: str = "us-east-1"
    """The region requests must be signed for."""
    script: CallerScript = field(default_factory=CallerScript)
    listening: ListeningConfig = field(default_factory=ListeningConfig)
    idle_timeout_s: float = 15.0
    """End a stream that gets no audio for this long, with Transcribe's timeout error."""
    faults: StreamFaults = field(default_factory=StreamFaults)
    streams: list[StreamRecord] = field(default_factory=list)

    def say(self, *lines: str) -> None:
        self.script.extend(lines)
