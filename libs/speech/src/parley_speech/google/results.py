"""Google's streaming responses as recogniser events.

Times are ms from the first audio of the stream (``result_end_time``,
``speech_event_time``). Google gives no start time for a result, so an utterance starts
at its ``SPEECH_ACTIVITY_BEGIN`` event, or where the previous final result ended.
"""

from __future__ import annotations

from datetime import timedelta

from google.cloud.speech_v1 import StreamingRecognitionResult, StreamingRecognizeResponse

from parley_speech.stt import FinalTranscript, InterimTranscript, RecognizerEvent, SpeechStarted

_SpeechEvent = StreamingRecognizeResponse.SpeechEventType


def duration_ms(value: timedelta | None) -> int:
    return 0 if value is None else round(value.total_seconds() * 1000)


class ResultMapper:
    """One per stream: remembers where the current utterance started."""

    def __init__(self) -> None:
        self._utterance_start_ms: int | None = None
        self._last_final_end_ms = 0

    def events(self, response: StreamingRecognizeResponse) -> list[RecognizerEvent]:
        events: list[RecognizerEvent] = []
        if response.speech_event_type == _SpeechEvent.SPEECH_ACTIVITY_BEGIN:
            if self._utterance_start_ms is None:
                self._utterance_start_ms = duration_ms(response.speech_event_time)
                events.append(SpeechStarted(self._utterance_start_ms))
            return events
        finals = [r for r in response.results if r.is_final and r.alternatives]
        interims = [r for r in response.results if not r.is_final and r.alternatives]
        for result in finals:
            events.extend(self._final(result))
        if interims:
            events.extend(self._interim(interims))
        return events

    def _start(self, events: list[RecognizerEvent]) -> int:
        """The utterance's start; reports speech as started if no activity event did."""
        if self._utterance_start_ms is None:
            self._utterance_start_ms = self._last_final_end_ms
            events.append(SpeechStarted(self._utterance_start_ms))
        return self._utterance_start_ms

    def _final(self, result: StreamingRecognitionResult) -> list[RecognizerEvent]:
        best = result.alternatives[0]
        text = best.transcript.strip()
        if not text:
            return []
        events: list[RecognizerEvent] = []
        start = self._start(events)
        end = max(start, duration_ms(result.result_end_time))
        events.append(FinalTranscript(text, best.confidence, start, end))
        self._utterance_start_ms = None
        self._last_final_end_ms = end
        return events

    def _interim(self, results: list[StreamingRecognitionResult]) -> list[RecognizerEvent]:
        # An interim response may split the text into a stable and an unstable part.
        text = "".join(r.alternatives[0].transcript for r in results).strip()
        if not text:
            return []
        events: list[RecognizerEvent] = []
        start = self._start(events)
        end = max(start, duration_ms(results[-1].result_end_time))
        stability = results[0].stability
        events.append(InterimTranscript(text, stability, start, end))
        return events
