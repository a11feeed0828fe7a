"""What a speech fake's caller says: scripted lines given to the utterances the fake
finds in the audio, the same line to the same utterance heard twice."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable


class CallerScript:
    """What the caller says, line by line. An utterance heard again (its audio replayed to
    a new stream after a reconnect) gets the line it got the first time, as the same
    audio would from a real recogniser; utterances are told apart by their first speech
    frame."""

    def __init__(self, lines: Iterable[str] = ()) -> None:
        self._pending = deque(lines)
        self._heard: dict[bytes, str] = {}

    def extend(self, lines: Iterable[str]) -> None:
        self._pending.extend(lines)

    def clear(self) -> None:
        self._pending.clear()
        self._heard.clear()

    def line_for(self, utterance: bytes) -> str | None:
        line = self._heard.get(utterance)
        if line is None and self._pending:
            line = self._heard[utterance] = self._pending.popleft()
        return line
