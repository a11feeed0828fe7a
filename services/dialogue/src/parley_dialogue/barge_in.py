"""When caller speech during a reply counts as an interruption, and when it is just
a backchannel ("uh-huh", "okay") that the agent should talk over."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from parley_contracts import Transcript


def normalise(text: str) -> str:
    return " ".join(re.findall(r"[a-z']+", text.lower().replace("-", " ")))


@dataclass(frozen=True)
class BargeInRule:
    min_confidence: float = 0.7
    min_words: int = 2
    min_speech_ms: int = 300
    backchannels: frozenset[str] = frozenset()

    @classmethod
    def build(
        cls, min_confidence: float, min_words: int, min_speech_ms: int, backchannels: Iterable[str]
    ) -> BargeInRule:
        return cls(
            min_confidence, min_words, min_speech_ms, frozenset(normalise(b) for b in backchannels)
        )

    def is_backchannel(self, text: str) -> bool:
        return normalise(text) in self.backchannels

    def interrupts(self, transcript: Transcript) -> bool:
        words = normalise(transcript.text)
        return (
            transcript.confidence >= self.min_confidence
            and len(words.split()) >= self.min_words
            and transcript.end_ms - transcript.start_ms >= self.min_speech_ms
            and words not in self.backchannels
        )
