"""Transcribe's results and errors as provider-neutral events and errors."""

from __future__ import annotations

from typing import Any

import pytest
from amazon_transcribe import exceptions
from amazon_transcribe.model import Alternative, Item, Result
from awscrt.exceptions import AwsCrtError
from parley_speech import (
    FinalTranscript,
    InterimTranscript,
    ProviderAuthError,
    ProviderConnectionLost,
    ProviderRateLimited,
    SpeechProviderError,
    SpeechStarted,
)
from parley_speech.aws.errors import provider_error
from parley_speech.aws.transcripts import ResultMapper

# The SDK's exception classes and Alternative have untyped constructors.
sdk: Any = exceptions
new_alternative: Any = Alternative


def word(content: str, start: float, end: float, **extra: object) -> Item:
    values: dict[str, Any] = {"item_type": "pronunciation", "content": content, **extra}
    return Item(start_time=start, end_time=end, **values)


def result(
    result_id: str,
    text: str,
    items: list[Item],
    partial: bool,
    start: float = 0.5,
    end: float = 2.0,
) -> Result:
    alternative: Alternative = new_alternative(transcript=text, items=items, entities=None)
    return Result(result_id, start, end, is_partial=partial, alternatives=[alternative])


def test_a_segment_starts_speech_grows_in_interims_and_ends_in_one_final() -> None:
    mapper = ResultMapper()
    first = mapper.events([result("r1", "next", [word("next", 0.5, 0.8, stable=False)], True)])
    second = mapper.events(
        [
            result(
                "r1",
                "next monday at",
                [
                    word("next", 0.5, 0.8, stable=True),
                    word("monday", 0.8, 1.2, stable=False),
                    word("at", 1.2, 1.3, stable=False),
                ],
                True,
            )
        ]
    )
    final_items = [
        word("next", 0.5, 0.8, confidence=0.9),
        word("monday", 0.8, 1.2, confidence=1.0),
        word("at", 1.2, 1.3, confidence=0.8),
        word("nine", 1.3, 1.7, confidence=0.9),
        Item(start_time=1.7, end_time=1.7, item_type="punctuation", content="."),
    ]
    last = mapper.events([result("r1", "next monday at nine.", final_items, False, end=2.4)])

    assert first == [SpeechStarted(500), InterimTranscript("next", 0.0, 500, 800)]
    # A partial's confidence is the share of its words Transcribe marks stable.
    assert second == [InterimTranscript("next monday at", 1 / 3, 500, 1300)]
    # The final's is the mean word confidence; it ends where its last word ends, not
    # where the segment's silence ends.
    (final,) = last
    assert isinstance(final, FinalTranscript)
    assert (final.text, final.start_ms, final.end_ms) == ("next monday at nine.", 500, 1700)
    assert final.confidence == pytest.approx(0.9)


def test_the_next_segment_is_new_speech_and_empty_results_say_nothing() -> None:
    mapper = ResultMapper()
    mapper.events([result("r1", "hello", [word("hello", 0.1, 0.4)], False, start=0.1)])
    events = mapper.events(
        [
            result("r2", "", [], True, start=3.0),
            result("r2", "book it", [word("book", 3.0, 3.2), word("it", 3.2, 3.4)], True, 3.0),
        ]
    )
    assert events == [SpeechStarted(3000), InterimTranscript("book it", 0.0, 3000, 3400)]
    assert mapper.events([result("r2", "", [], False, start=3.0)]) == []


def test_a_final_with_no_partial_before_it_still_says_speech_started() -> None:
    mapper = ResultMapper()
    events = mapper.events(
        [result("r9", "yes", [word("yes", 1.0, 1.2, confidence=0.7)], False, 1.0)]
    )
    assert events == [SpeechStarted(1000), FinalTranscript("yes", 0.7, 1000, 1200)]


@pytest.mark.parametrize(
    ("error", "kind", "words"),
    [
        (
            sdk.UnknownServiceException(403, "UnrecognizedClientException", "bad token"),
            ProviderAuthError,
            "AWS_ACCESS_KEY_ID",
        ),
        (
            sdk.UnknownServiceException(429, "ThrottlingException", "slow down"),
            ProviderRateLimited,
            "throttled",
        ),
        (
            sdk.UnknownServiceException(502, "BadGateway", "oops"),
            ProviderConnectionLost,
            "HTTP 502",
        ),
        (sdk.LimitExceededException("too many streams"), ProviderRateLimited, "quota"),
        (sdk.ServiceUnavailableException("busy"), ProviderConnectionLost, "busy"),
        (sdk.InternalFailureException("broke"), ProviderConnectionLost, "broke"),
        (
            sdk.BadRequestException(
                "Your request timed out because no new audio was received for 15 seconds."
            ),
            ProviderConnectionLost,
            "timed out",
        ),
        (
            sdk.HTTPException("HTTP/2 could not be negotiated"),
            ProviderConnectionLost,
            "HTTP/2 over TLS",
        ),
        (
            AwsCrtError(1, "AWS_IO_TLS_ERROR_NEGOTIATION_FAILURE", "tls"),
            ProviderConnectionLost,
            "AWS_CA_BUNDLE",
        ),
        (
            AwsCrtError(2, "AWS_IO_SOCKET_CONNECTION_REFUSED", "refused"),
            ProviderConnectionLost,
            "REFUSED",
        ),
        (TimeoutError(), ProviderConnectionLost, "timed out"),
    ],
)
def test_errors_say_whether_to_reconnect_wait_or_call_the_operator(
    error: Exception, kind: type[SpeechProviderError], words: str
) -> None:
    mapped = provider_error(error, "stream start")
    assert type(mapped) is kind
    assert words in str(mapped)


def test_a_rejected_request_is_final_and_names_the_language_setting() -> None:
    mapped = provider_error(
        sdk.BadRequestException("Value 'xx-XX' at 'languageCode'"), "stream start"
    )
    assert type(mapped) is SpeechProviderError
    assert "PARLEY_AWS_TRANSCRIBE_LANGUAGE" in str(mapped) and "xx-XX" in str(mapped)
