"""Deepgram's live messages as recogniser events.

Deepgram reports an utterance in pieces: interim ``Results`` (``is_final=false``) that
are revised, ``is_final`` segments that are not, and the end of the utterance as
``speech_final`` (endpointing), ``from_finalize`` (after ``Finalize``) or a separate
``UtteranceEnd``. The interface wants one ``FinalTranscript`` with the whole utterance,
so final segments are accumulated until the utterance ends; interim transcripts carry
the accumulated text plus the current partial, so each one is the utterance so far.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deepgram.listen.v1.types.listen_v1results import ListenV1Results
from deepgram.listen.v1.types.listen_v1speech_started import ListenV1SpeechStarted
from deepgram.listen.v1.types.listen_v1utterance_end import ListenV1UtteranceEnd

from parley_speech.stt import FinalTranscript, InterimTranscript, RecognizerEvent, SpeechStarted


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


@dataclass(slots=True)
class _Segment:
    text: str
    confidence: float
    start_ms: int
    end_ms: int


@dataclass(slots=True)
class TranscriptAssembler:
    """One connection's utterance in progress; times are from its first audio."""

    _segments: list[_Segment] = field(default_factory=list)

    def on_message(self, message: object) -> list[RecognizerEvent]:
        if isinstance(message, ListenV1Results):
            return self._on_results(message)
        if isinstance(message, ListenV1SpeechStarted):
            return [SpeechStarted(offset_ms=_ms(message.timestamp))]
        if isinstance(message, ListenV1UtteranceEnd):
            return self._end_utterance()
        return []  # Metadata, configure replies, unknown messages

    def _on_results(self, results: ListenV1Results) -> list[RecognizerEvent]:
        alternatives = results.channel.alternatives
        best = alternatives[0] if alternatives else None
        text = best.transcript.strip() if best is not None else ""
        confidence = best.confidence if best is not None else 0.0
        start_ms = _ms(results.start)
        # Where the words end (the result's own span includes the silence after them).
        end_ms = _ms(
            best.words[-1].end if best and best.words else results.start + results.duration
        )
        if not results.is_final:
            if not text:
                return []
            so_far = " ".join([*(s.text for s in self._segments), text])
            first = self._segments[0].start_ms if self._segments else start_ms
            return [InterimTranscript(so_far, confidence, first, end_ms)]
        if text:
            self._segments.append(_Segment(text, confidence, start_ms, end_ms))
        if results.speech_final or results.from_finalize:
            return self._end_utterance()
        return []

    def _end_utterance(self) -> list[RecognizerEvent]:
        segments, self._segments = self._segments, []
        if not segments:
            return []
        text = " ".join(s.text for s in segments)
        confidence = sum(s.confidence for s in segments) / len(segments)
        return [FinalTranscript(text, confidence, segments[0].start_ms, segments[-1].end_ms)]
