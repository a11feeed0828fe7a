"""Transcribe's ``TranscriptEvent`` results as recogniser events.

Transcribe cuts the audio into segments at pauses and reports each one as a result with
its own ``ResultId``: partial results (``IsPartial``) that grow and may be revised, then
the same id once more, final. A segment is an utterance here: its first result says
speech started, each partial is an interim transcript of the segment so far, and its
final result is the utterance's ``FinalTranscript``. Times are seconds from the
stream's first audio. Transcribe gives word confidences in final results only; a
partial's confidence is how much of it is stable (with partial-results stabilisation),
as Google's stability stands in for its interim confidence.
"""

from __future__ import annotations

from parley_speech.aws.sdk import Item, Result
from parley_speech.stt import FinalTranscript, InterimTranscript, RecognizerEvent, SpeechStarted


def _ms(seconds: float | None) -> int:
    return round((seconds or 0.0) * 1000)


def _words(items: list[Item]) -> list[Item]:
    return [item for item in items if item.item_type != "punctuation"]


def _confidence(words: list[Item]) -> float:
    scores = [item.confidence for item in words if item.confidence is not None]
    if scores:
        return sum(scores) / len(scores)
    flags = [item.stable for item in words if item.stable is not None]
    return sum(flags) / len(flags) if flags else 0.0


class ResultMapper:
    """One per stream: remembers which segment is in progress."""

    def __init__(self) -> None:
        self._segment: str | None = None

    def events(self, results: list[Result]) -> list[RecognizerEvent]:
        events: list[RecognizerEvent] = []
        for result in results:
            events.extend(self._result(result))
        return events

    def _result(self, result: Result) -> list[RecognizerEvent]:
        best = result.alternatives[0] if result.alternatives else None
        text = best.transcript.strip() if best is not None and best.transcript else ""
        words = _words(best.items or []) if best is not None else []
        start = _ms(result.start_time)
        # Where the words end; the result's own end takes in the silence after them.
        end = max(start, _ms(words[-1].end_time if words else result.end_time))
        events: list[RecognizerEvent] = []
        if text and result.result_id != self._segment:
            self._segment = result.result_id
            events.append(SpeechStarted(offset_ms=start))
        if result.is_partial:
            if text:
                events.append(InterimTranscript(text, _confidence(words), start, end))
            return events
        if self._segment == result.result_id:
            self._segment = None
        if text:
            events.append(FinalTranscript(text, _confidence(words), start, end))
        return events
