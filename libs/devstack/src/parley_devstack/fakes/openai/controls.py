"""What the OpenAI fake is told to answer and how to misbehave, and what it saw. Tests set
the cues directly (or over ``POST /_fake/...``); faults are consumed one per request."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from parley_devstack.fakes.openai.script import Script

FaultKind = Literal[
    "rate_limit", "server_error", "unauthorized", "stall", "malformed", "error_event"
]


@dataclass(frozen=True)
class Fault:
    """One request's misbehaviour.

    ``rate_limit``: 429 with ``retry-after``; ``server_error``: ``status`` (5xx);
    ``unauthorized``: 401 ``invalid_api_key``; ``stall``: stop ``stall_s`` seconds after
    ``after_tokens`` text tokens, then go on; ``malformed``: a chunk that is not JSON after
    ``after_tokens`` tokens, then the stream ends; ``error_event``: an in-stream
    ``{"error": ...}`` event after ``after_tokens`` tokens, then the stream ends."""

    kind: FaultKind
    retry_after_s: float = 1.0
    status: int = 500
    stall_s: float = 30.0
    after_tokens: int = 0

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Fault:
        return cls(**document)


@dataclass
class OpenAIFakeControls:
    api_key: str = "test-key"
    script: Script = field(default_factory=Script)
    first_token_ms: int = 0
    """Time to first token: the pause before the first chunk (or the whole answer)."""
    tokens_per_s: float = 0.0
    """Pace of the streamed tokens; 0 sends them as fast as the socket takes them."""
    faults: deque[Fault] = field(default_factory=deque)

    attempts: int = 0
    """Every request that arrived, refused or not."""
    requests: list[dict[str, Any]] = field(default_factory=list)
    """The bodies of the requests that were answered (or failed by a cue), in order."""
    streams_cut: int = 0
    """Streams the client went away from before the end."""
    streams_finished: list[tuple[float, str]] = field(default_factory=list)
    """Each stream that ran to its end: when it sent its last chunk (epoch seconds) and
    the text it streamed, in order."""

    def queue(self, *faults: Fault) -> None:
        self.faults.extend(faults)

    def rate_limit(self, retry_after_s: float = 1.0) -> None:
        self.queue(Fault("rate_limit", retry_after_s=retry_after_s))

    def fail(self, status: int = 500) -> None:
        self.queue(Fault("server_error", status=status))

    def take_fault(self) -> Fault | None:
        return self.faults.popleft() if self.faults else None
