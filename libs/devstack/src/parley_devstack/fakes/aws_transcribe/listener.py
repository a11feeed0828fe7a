"""What the Transcribe fake "hears": utterances found by loudness in the PCM it is sent,
each given the next line of the caller's script and reported as Transcribe reports a
segment: partial results under one ``ResultId`` that grow word by word while the speech
goes on, then the same ``ResultId`` with ``IsPartial: false`` once the caller has been
quiet for a while. Every time comes from the audio itself, in seconds from the stream's
first byte, so it is as real as the caller's speech.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
from parley_audio import FRAME_MS, FrameAccumulator, is_speech_like, mulaw_encode

from parley_devstack.fakes.caller_script import CallerScript

Result = dict[str, Any]
STABLE_TAIL_WORDS = 2
"""With partial-results stabilisation on, all but the last this many words are stable."""


@dataclass(frozen=True, slots=True)
class ListeningConfig:
    silence_ms: int = 600
    """Quiet that ends a segment."""
    min_speech_ms: int = 100
    """Shorter bursts are clicks, not speech: no result."""
    partial_every_ms: int = 300
    """A partial result, one more word of the line, this often while speech goes on."""
    ms_per_word: int = 250
    """How fast partial results reveal the line's words."""


def _seconds(ms: int) -> float:
    return round(ms / 1000, 3)


def _items(
    words: list[str], start_ms: int, end_ms: int, final: bool, stabilise: bool
) -> list[Result]:
    step = (end_ms - start_ms) / max(1, len(words))
    items: list[Result] = []
    for index, word in enumerate(words):
        spoken = word.rstrip(".,?!")
        item: Result = {
            "Content": spoken,
            "Type": "pronunciation",
            "StartTime": _seconds(round(start_ms + index * step)),
            "EndTime": _seconds(round(start_ms + (index + 1) * step)),
            "VocabularyFilterMatch": False,
        }
        if final:
            item["Confidence"] = 0.97
        if stabilise:
            item["Stable"] = final or index < len(words) - STABLE_TAIL_WORDS
        items.append(item)
        if punctuation := word[len(spoken) :]:
            end = items[-1]["EndTime"]
            items.append(
                {"Content": punctuation, "Type": "punctuation", "StartTime": end, "EndTime": end}
            )
    return items


class TranscribeListener:
    """One stream's audio, 16-bit little-endian PCM at 8 kHz, as results. The audio is
    judged in the 20 ms mu-law frames the other speech fakes hear."""

    def __init__(
        self, script: CallerScript, config: ListeningConfig, stabilise: bool = False
    ) -> None:
        self._script = script
        self._config = config
        self._stabilise = stabilise
        self._frames = FrameAccumulator()
        self._odd_byte = b""
        self.audio_ms = 0
        self._result_id: str | None = None
        self._first_frame = b""
        self._start_ms = 0
        self._last_speech_ms = 0
        self._speech_ms = 0
        self._next_partial_ms = 0

    @property
    def in_utterance(self) -> bool:
        return self._result_id is not None

    def feed(self, pcm: bytes) -> list[Result]:
        data = self._odd_byte + pcm
        cut = len(data) - len(data) % 2  # an event may end inside a sample
        self._odd_byte = data[cut:]
        mulaw = mulaw_encode(np.frombuffer(data[:cut], dtype="<i2"))
        results: list[Result] = []
        for frame in self._frames.push(mulaw):
            results.extend(self._frame(frame))
        return results

    def finish(self) -> list[Result]:
        """The client ended its audio: the segment in progress is final now."""
        return self._end() if self.in_utterance else []

    def _frame(self, frame: bytes) -> list[Result]:
        start = self.audio_ms
        self.audio_ms += FRAME_MS
        speech = is_speech_like(frame)
        if not self.in_utterance:
            if speech:
                self._begin(start, frame)
            return []
        if speech:
            self._last_speech_ms = self.audio_ms
            self._speech_ms += FRAME_MS
        if self.audio_ms - self._last_speech_ms >= self._config.silence_ms:
            return self._end()
        if speech and self.audio_ms >= self._next_partial_ms:
            self._next_partial_ms += self._config.partial_every_ms
            return self._partial()
        return []

    def _begin(self, start_ms: int, frame: bytes) -> None:
        self._result_id = str(uuid.uuid4())
        self._first_frame = frame
        self._start_ms = start_ms
        self._last_speech_ms = self.audio_ms
        self._speech_ms = FRAME_MS
        self._next_partial_ms = start_ms + self._config.partial_every_ms

    def _line(self) -> str | None:
        if self._speech_ms < self._config.min_speech_ms:
            return None
        return self._script.line_for(self._first_frame)

    def _partial(self) -> list[Result]:
        line = self._line()
        if line is None:
            return []
        words = line.split()
        heard = 1 + (self.audio_ms - self._start_ms) // self._config.ms_per_word
        return [self._result(words[:heard], self.audio_ms, partial=True)]

    def _end(self) -> list[Result]:
        line = self._line()
        result = self._result(line.split(), self._last_speech_ms, partial=False) if line else None
        self._result_id = None
        return [result] if result else []

    def _result(self, words: list[str], end_ms: int, partial: bool) -> Result:
        return {
            "ResultId": self._result_id,
            "StartTime": _seconds(self._start_ms),
            "EndTime": _seconds(end_ms),
            "IsPartial": partial,
            "Alternatives": [
                {
                    "Transcript": " ".join(words),
                    "Items": _items(words, self._start_ms, end_ms, not partial, self._stabilise),
                }
            ],
        }
