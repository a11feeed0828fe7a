"""One ``/v1/listen`` stream's recognition, as Deepgram would report it.

The fake does not recognise words: it finds utterances in the received mu-law audio by
energy, so every time in its messages comes from the real audio, and gives each
utterance the next scripted line. Interim results reveal the line's words as the speech
goes on, long utterances are split into ``is_final`` segments, and an utterance ends with
``speech_final`` after ``endpointing`` ms of silence (``UtteranceEnd`` follows after
``utterance_end_ms``). The line is taken off the script only when its utterance is
finalised, so a connection that drops mid-utterance leaves it for the next one, which
hears the replayed audio.
"""

from __future__ import annotations

import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from parley_audio import FRAME_BYTES, is_speech_like

FRAME_MS = 20
MS_PER_WORD = 250
"""How fast interim results reveal words."""
MIN_SPEECH_FRAMES = 3
"""Shorter bursts are clicks: their utterance is finalised with no words."""

Message = dict[str, Any]


@dataclass(frozen=True)
class ListenOptions:
    interim_results: bool = False
    endpointing_ms: int | None = 10
    utterance_end_ms: int | None = None
    vad_events: bool = False
    model: str = "nova-3"

    @classmethod
    def from_query(cls, query: dict[str, str]) -> ListenOptions:
        endpointing = query.get("endpointing", "10")
        utterance_end = query.get("utterance_end_ms")
        return cls(
            interim_results=query.get("interim_results") == "true",
            endpointing_ms=None if endpointing == "false" else int(endpointing),
            utterance_end_ms=int(utterance_end) if utterance_end else None,
            vad_events=query.get("vad_events") == "true",
            model=query.get("model", "nova-3"),
        )


@dataclass
class _Utterance:
    start_ms: int
    words: list[str]
    segment_start_ms: int
    finalised_words: int = 0
    speech_frames: int = 0
    last_speech_end_ms: int = 0
    next_interim_ms: int = 0
    speech_final_sent: bool = False


@dataclass
class ListenSession:
    options: ListenOptions
    script: deque[str]
    segment_ms: int = 2000
    interim_ms: int = 300
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    audio_ms: int = 0
    _pending: bytes = b""
    _utterance: _Utterance | None = None
    _silence_ms: int = 0

    def feed(self, audio: bytes) -> list[Message]:
        self._pending += audio
        messages: list[Message] = []
        while len(self._pending) >= FRAME_BYTES:
            frame, self._pending = self._pending[:FRAME_BYTES], self._pending[FRAME_BYTES:]
            messages.extend(self._frame(frame))
        return messages

    def finalize(self) -> list[Message]:
        """``Finalize``/``CloseStream``: flush the utterance in progress."""
        utterance = self._utterance
        if utterance is None or utterance.speech_final_sent:
            return []
        self._utterance = None
        return [self._final(utterance, utterance.last_speech_end_ms, from_finalize=True)]

    def metadata(self) -> Message:
        return {
            "type": "Metadata",
            "transaction_key": "deprecated",
            "request_id": self.request_id,
            "sha256": "0" * 64,
            "created": "2026-01-01T00:00:00.000Z",
            "duration": self.audio_ms / 1000,
            "channels": 1,
        }

    def _frame(self, frame: bytes) -> list[Message]:
        start, self.audio_ms = self.audio_ms, self.audio_ms + FRAME_MS
        if is_speech_like(frame):
            return self._speech(start)
        return self._silence()

    def _speech(self, frame_start: int) -> list[Message]:
        messages: list[Message] = []
        utterance = self._utterance
        if utterance is None or utterance.speech_final_sent:
            words = self.script[0].split() if self.script else []
            utterance = self._utterance = _Utterance(
                frame_start, words, frame_start, next_interim_ms=frame_start + self.interim_ms
            )
            if self.options.vad_events:
                messages.append(
                    {"type": "SpeechStarted", "channel": [0], "timestamp": frame_start / 1000}
                )
        self._silence_ms = 0
        utterance.speech_frames += 1
        utterance.last_speech_end_ms = self.audio_ms
        if self.audio_ms - utterance.segment_start_ms >= self.segment_ms:
            messages.append(self._segment(utterance))
        elif self.options.interim_results and self.audio_ms >= utterance.next_interim_ms:
            utterance.next_interim_ms = self.audio_ms + self.interim_ms
            if interim := self._interim(utterance):
                messages.append(interim)
        return messages

    def _silence(self) -> list[Message]:
        utterance = self._utterance
        if utterance is None:
            return []
        self._silence_ms += FRAME_MS
        messages: list[Message] = []
        endpointing = self.options.endpointing_ms
        if (
            not utterance.speech_final_sent
            and endpointing is not None
            and self._silence_ms >= max(endpointing, FRAME_MS)
        ):
            messages.append(self._final(utterance, utterance.last_speech_end_ms))
            utterance.speech_final_sent = True
        utterance_end = self.options.utterance_end_ms
        if utterance_end is not None and self._silence_ms >= utterance_end:
            if not utterance.speech_final_sent:
                messages.append(self._final(utterance, utterance.last_speech_end_ms))
            if self.options.interim_results:
                messages.append(
                    {
                        "type": "UtteranceEnd",
                        "channel": [0, 1],
                        "last_word_end": utterance.last_speech_end_ms / 1000,
                    }
                )
            self._utterance = None
        return messages

    def _revealed(self, utterance: _Utterance) -> int:
        spoken = utterance.last_speech_end_ms - utterance.start_ms
        return min(len(utterance.words) - 1, spoken // MS_PER_WORD + 1)

    def _interim(self, utterance: _Utterance) -> Message | None:
        words = utterance.words[utterance.finalised_words : self._revealed(utterance)]
        if not words:
            return None
        return self._results(utterance.segment_start_ms, self.audio_ms, words, is_final=False)

    def _segment(self, utterance: _Utterance) -> Message:
        """A long utterance's words so far, final but not the end of the utterance."""
        upto = max(utterance.finalised_words, self._revealed(utterance))
        words = utterance.words[utterance.finalised_words : upto]
        message = self._results(utterance.segment_start_ms, self.audio_ms, words, is_final=True)
        utterance.finalised_words = upto
        utterance.segment_start_ms = self.audio_ms
        return message

    def _final(self, utterance: _Utterance, end_ms: int, from_finalize: bool = False) -> Message:
        real = utterance.speech_frames >= MIN_SPEECH_FRAMES and bool(utterance.words)
        words = utterance.words[utterance.finalised_words :] if real else []
        if real:
            self.script.popleft()
        message = self._results(
            utterance.segment_start_ms,
            max(end_ms, utterance.segment_start_ms),
            words,
            is_final=True,
            speech_final=not from_finalize,
            span_end_ms=self.audio_ms,
        )
        message["from_finalize"] = from_finalize
        return message

    def _results(
        self,
        start_ms: int,
        end_ms: int,
        words: list[str],
        *,
        is_final: bool,
        speech_final: bool = False,
        span_end_ms: int | None = None,
    ) -> Message:
        step = (end_ms - start_ms) / max(1, len(words))
        word_items = [
            {
                "word": word.lower().strip(".,?!"),
                "start": (start_ms + i * step) / 1000,
                "end": (start_ms + (i + 1) * step) / 1000,
                "confidence": 0.98,
                "punctuated_word": word,
            }
            for i, word in enumerate(words)
        ]
        span_end = span_end_ms if span_end_ms is not None else end_ms
        return {
            "type": "Results",
            "channel_index": [0, 1],
            "duration": (span_end - start_ms) / 1000,
            "start": start_ms / 1000,
            "is_final": is_final,
            "speech_final": speech_final,
            "channel": {
                "alternatives": [
                    {
                        "transcript": " ".join(words),
                        "confidence": 0.98 if words else 0.0,
                        "words": word_items,
                    }
                ]
            },
            "metadata": {
                "request_id": self.request_id,
                "model_info": {"name": "2-general-nova", "version": "fake", "arch": "nova-3"},
                "model_uuid": "00000000-0000-0000-0000-000000000000",
            },
        }
