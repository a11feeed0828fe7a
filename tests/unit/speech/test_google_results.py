"""Google's streaming responses and errors as provider-neutral events and errors."""

from __future__ import annotations

from datetime import timedelta

import grpc
from google.api_core import exceptions as api
from google.cloud.speech_v1 import (
    SpeechRecognitionAlternative,
    StreamingRecognitionResult,
    StreamingRecognizeResponse,
)
from google.protobuf import duration_pb2
from google.rpc import error_details_pb2
from parley_speech import (
    FinalTranscript,
    InterimTranscript,
    ProviderAuthError,
    ProviderConnectionLost,
    ProviderRateLimited,
    SpeechProviderError,
    SpeechStarted,
)
from parley_speech.google.errors import provider_error
from parley_speech.google.results import ResultMapper

BEGIN = StreamingRecognizeResponse.SpeechEventType.SPEECH_ACTIVITY_BEGIN


def result(
    text: str, end_ms: int, final: bool = False, stability: float = 0.0
) -> StreamingRecognitionResult:
    return StreamingRecognitionResult(
        alternatives=[SpeechRecognitionAlternative(transcript=text, confidence=0.5)],
        is_final=final,
        stability=stability,
        result_end_time=timedelta(milliseconds=end_ms),
    )


def response(*results: StreamingRecognitionResult) -> StreamingRecognizeResponse:
    return StreamingRecognizeResponse(results=list(results))


def test_an_utterance_starts_at_its_activity_event_and_ends_at_its_final() -> None:
    mapper = ResultMapper()
    begin = StreamingRecognizeResponse(
        speech_event_type=BEGIN, speech_event_time=timedelta(milliseconds=480)
    )
    assert mapper.events(begin) == [SpeechStarted(480)]
    # Google splits an interim into a stable and an unstable part; the text is both.
    interim = mapper.events(response(result("to be", 900, stability=0.75), result(" or not", 900)))
    assert interim == [InterimTranscript("to be or not", 0.75, 480, 900)]
    final = mapper.events(response(result(" to be or not to be ", 1500, final=True)))
    assert final == [FinalTranscript("to be or not to be", 0.5, 480, 1500)]


def test_without_an_activity_event_speech_starts_where_the_last_final_ended() -> None:
    mapper = ResultMapper()
    mapper.events(response(result("yes", 700, final=True)))
    events = mapper.events(response(result("no", 1600)))
    assert events == [SpeechStarted(700), InterimTranscript("no", 0.0, 700, 1600)]


def test_empty_results_are_not_events() -> None:
    assert ResultMapper().events(response(result("", 500, final=True))) == []


def grpc_error(code: grpc.StatusCode, message: str = "boom") -> api.GoogleAPICallError:
    error: api.GoogleAPICallError = api.from_grpc_status(code, message)  # type: ignore[no-untyped-call]
    return error


def test_status_codes_map_to_what_the_resilience_layer_does() -> None:
    for code in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED):
        assert isinstance(provider_error(grpc_error(code)), ProviderAuthError)
    for code in (
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.ABORTED,
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.OUT_OF_RANGE,
    ):
        assert isinstance(provider_error(grpc_error(code)), ProviderConnectionLost), code
    bad = provider_error(grpc_error(grpc.StatusCode.INVALID_ARGUMENT, "no such voice"))
    assert type(bad) is SpeechProviderError and "INVALID_ARGUMENT: no such voice" in str(bad)


def test_a_rate_limit_carries_the_retry_delay_google_gave() -> None:
    delay = duration_pb2.Duration()
    delay.FromTimedelta(timedelta(seconds=1.5))
    retry = error_details_pb2.RetryInfo(retry_delay=delay)
    exhausted = api.ResourceExhausted("quota", details=[retry])  # type: ignore[no-untyped-call]
    error = provider_error(exhausted)
    assert isinstance(error, ProviderRateLimited) and error.retry_after_s == 1.5
    bare = provider_error(grpc_error(grpc.StatusCode.RESOURCE_EXHAUSTED))
    assert isinstance(bare, ProviderRateLimited) and bare.retry_after_s is None
