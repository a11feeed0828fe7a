"""What Twilio does with the audio we receive: play it in order, echo marks when reached.

Marks are echoed when the playout clock passes their position; ``clear`` drops queued
audio and echoes every pending mark at once (as Twilio documents).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

BYTES_PER_SECOND = 8000


@dataclass
class PendingMark:
    name: str
    due: float


@dataclass
class PlayoutModel:
    started: float = field(default_factory=time.monotonic)
    playout_end: float = 0.0
    pending_marks: list[PendingMark] = field(default_factory=list)
    heard: bytearray = field(default_factory=bytearray)
    """Everything the caller heard, with silence where nothing played (mu-law)."""

    def play(self, audio: bytes, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        start = max(self.playout_end, now)
        offset = int((start - self.started) * BYTES_PER_SECOND)
        if offset > len(self.heard):
            self.heard.extend(b"\xff" * (offset - len(self.heard)))
        self.heard.extend(audio)
        self.playout_end = start + len(audio) / BYTES_PER_SECOND

    def mark(self, name: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self.pending_marks.append(PendingMark(name, max(self.playout_end, now)))

    def due_marks(self, now: float | None = None) -> list[str]:
        now = time.monotonic() if now is None else now
        due = [m.name for m in self.pending_marks if m.due <= now]
        self.pending_marks = [m for m in self.pending_marks if m.due > now]
        return due

    def clear(self, now: float | None = None) -> list[str]:
        now = time.monotonic() if now is None else now
        played = int((now - self.started) * BYTES_PER_SECOND)
        if played < len(self.heard):
            del self.heard[max(played, 0) :]
        self.playout_end = now
        names = [m.name for m in self.pending_marks]
        self.pending_marks = []
        return names
