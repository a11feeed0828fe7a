"""Amazon Transcribe streaming through Amazon's SDK against the local Transcribe fake:
HTTP/2 over TLS, signed event-stream audio, scripted transcripts timed by the audio,
and the ways Transcribe refuses, fails and drops a stream."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from parley_audio import FRAME_BYTES, silence_frame
from parley_devstack.fakes.aws_transcribe import FakeAwsTranscribe
from parley_simulator.caller_audio import CallerVoice
from parley_speech import (
    EndpointingConfig,
    FinalTranscript,
    ProviderAuthError,
    ProviderUnavailable,
    RecognizerEvent,
    ReconnectPolicy,
    SpeechProviderError,
    build_recognizer,
)
from parley_speech.aws import AwsTranscribeRecognizer, AwsTranscribeSettingsError

from tests.integration.speech.aws_transcribe_fake import (
    FAST_RETRIES,
    environment_for,
    settings_for,
)
from tests.integration.speech.deepgram_fake import Collector

pytestmark = pytest.mark.integration
CALLER = CallerVoice()
FAST = 0.005  # the fake times everything by the audio, so most tests send 4x real time
LINES = ("next monday at nine", "yes please")


def silence(ms: int) -> list[bytes]:
    return [silence_frame()] * (ms // 20)


def finals(events: list[RecognizerEvent]) -> list[str]:
    return [e.text for e in events if isinstance(e, FinalTranscript)]


@pytest.fixture(scope="module")
def speech() -> dict[str, list[bytes]]:
    return {line: CALLER.say(line) for line in LINES}


@pytest.fixture
async def fake() -> AsyncIterator[FakeAwsTranscribe]:
    async with FakeAwsTranscribe() as server:
        yield server


@pytest.fixture
async def recognizer(fake: FakeAwsTranscribe) -> AsyncIterator[AwsTranscribeRecognizer]:
    recognizer = AwsTranscribeRecognizer(settings_for(fake), FAST_RETRIES)
    yield recognizer
    await recognizer.aclose()


async def open_stream(recognizer: AwsTranscribeRecognizer) -> Collector:
    return Collector(await recognizer.open(EndpointingConfig()))


async def test_utterances_come_back_as_finals_from_signed_pcm_at_8khz(
    fake: FakeAwsTranscribe, recognizer: AwsTranscribeRecognizer, speech: dict[str, list[bytes]]
) -> None:
    fake.controls.say(*LINES)
    frames = silence(500) + speech[LINES[0]] + silence(1000) + speech[LINES[1]] + silence(1000)
    collector = await open_stream(recognizer)
    await collector.send(frames, FAST)
    events = await collector.finish()

    assert finals(events) == list(LINES)
    (stream,) = fake.controls.streams
    assert stream.headers["x-amzn-transcribe-language-code"] == "en-US"
    assert stream.headers["x-amzn-transcribe-media-encoding"] == "pcm"
    assert stream.headers["x-amzn-transcribe-sample-rate"] == "8000"
    assert stream.headers["authorization"].startswith(
        f"AWS4-HMAC-SHA256 Credential={fake.controls.access_key_id}/"
    )
    # Every frame went out as 16-bit PCM, in 100 ms events, and the client ended its audio.
    assert stream.audio_bytes == 2 * FRAME_BYTES * len(frames)
    assert stream.audio_events == pytest.approx(len(frames) / 5, abs=1)
    assert stream.ended_by_client and stream.exception is None


async def test_the_language_setting_reaches_transcribe(fake: FakeAwsTranscribe) -> None:
    recognizer = AwsTranscribeRecognizer(settings_for(fake, language="es-US"), FAST_RETRIES)
    collector = await open_stream(recognizer)
    await collector.send(silence(200), FAST)
    await collector.finish()
    assert fake.controls.streams[-1].headers["x-amzn-transcribe-language-code"] == "es-US"


async def test_a_language_transcribe_does_not_know_is_refused_once_naming_the_setting(
    fake: FakeAwsTranscribe,
) -> None:
    recognizer = AwsTranscribeRecognizer(settings_for(fake, language="en-XX"), FAST_RETRIES)
    with pytest.raises(SpeechProviderError, match="PARLEY_AWS_TRANSCRIBE_LANGUAGE") as refused:
        await recognizer.open(EndpointingConfig())
    assert "en-XX" in str(refused.value)
    assert len(fake.controls.streams) == 1, "a bad request is not retried"


async def test_an_unknown_access_key_is_an_auth_error_that_is_not_retried(
    fake: FakeAwsTranscribe,
) -> None:
    recognizer = AwsTranscribeRecognizer(
        settings_for(fake, access_key_id="AKIAUNKNOWNKEY000000"), FAST_RETRIES
    )
    with pytest.raises(ProviderAuthError, match="AWS_ACCESS_KEY_ID") as refused:
        await recognizer.open(EndpointingConfig())
    assert "UnrecognizedClientException" in str(refused.value)
    assert len(fake.controls.streams) == 1


async def test_refused_and_throttled_streams_are_retried_until_one_is_taken(
    fake: FakeAwsTranscribe, recognizer: AwsTranscribeRecognizer, speech: dict[str, list[bytes]]
) -> None:
    fake.controls.say(LINES[0])
    faults = fake.controls.faults
    faults.refuse_next, faults.refuse_status, faults.refuse_type = (
        1,
        503,
        "ServiceUnavailableException",
    )
    collector = await open_stream(recognizer)
    await collector.send(silence(300) + speech[LINES[0]] + silence(800), FAST)
    assert finals(await collector.finish()) == [LINES[0]]
    assert [s.status for s in fake.controls.streams] == [503, 200]

    faults.refuse_next, faults.refuse_status, faults.refuse_type = 2, 429, "LimitExceededException"
    collector = await open_stream(recognizer)
    await collector.finish()
    assert [s.status for s in fake.controls.streams[2:]] == [429, 429, 200]


async def test_a_stream_dropped_mid_utterance_reconnects_and_the_words_come_once(
    fake: FakeAwsTranscribe, recognizer: AwsTranscribeRecognizer, speech: dict[str, list[bytes]]
) -> None:
    fake.controls.say(LINES[0])
    fake.controls.faults.drop_next, fake.controls.faults.drop_after_ms = 1, 900
    frames = silence(500) + speech[LINES[0]] + silence(1000)
    collector = await open_stream(recognizer)
    await collector.send(frames, FAST)
    events = await collector.finish()

    assert finals(events) == [LINES[0]]
    assert [s.dropped for s in fake.controls.streams] == [True, False]
    (final,) = [e for e in events if isinstance(e, FinalTranscript)]
    # Times are still the call's: the replayed audio started where the first stream's
    # unconfirmed audio did.
    speech_end_ms = 20 * (len(silence(500)) + len(speech[LINES[0]]))
    assert abs(final.end_ms - speech_end_ms) <= 200, (final.end_ms, speech_end_ms)


async def test_an_exception_event_mid_stream_reconnects(
    fake: FakeAwsTranscribe, recognizer: AwsTranscribeRecognizer, speech: dict[str, list[bytes]]
) -> None:
    fake.controls.say(LINES[1])
    fake.controls.faults.fail_next, fake.controls.faults.fail_after_ms = 1, 300
    collector = await open_stream(recognizer)
    await collector.send(silence(500) + speech[LINES[1]] + silence(1000), FAST)
    assert finals(await collector.finish()) == [LINES[1]]
    assert [s.exception for s in fake.controls.streams] == ["InternalFailureException", None]


async def test_a_stream_idle_past_transcribes_timeout_is_started_again(
    fake: FakeAwsTranscribe, recognizer: AwsTranscribeRecognizer, speech: dict[str, list[bytes]]
) -> None:
    fake.controls.idle_timeout_s = 0.3
    fake.controls.say(LINES[1])
    collector = await open_stream(recognizer)
    await collector.send(silence(200), FAST)
    deadline = time.monotonic() + 10
    while not any(s.exception for s in fake.controls.streams) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    fake.controls.idle_timeout_s = 15.0
    await collector.send(speech[LINES[1]] + silence(1000), FAST)
    assert finals(await collector.finish()) == [LINES[1]]
    assert fake.controls.streams[0].exception == "BadRequestException"
    assert len(fake.controls.streams) >= 2


async def test_an_endpoint_whose_certificate_is_not_trusted_is_given_up_naming_the_ca_setting(
    fake: FakeAwsTranscribe,
) -> None:
    once = ReconnectPolicy(delays_s=(0.0,))
    recognizer = AwsTranscribeRecognizer(settings_for(fake, ca_bundle=None), once, 1.0)
    with pytest.raises(ProviderUnavailable, match="AWS_CA_BUNDLE"):
        await recognizer.open(EndpointingConfig())
    assert fake.controls.streams == [], "no request was sent over an untrusted connection"


async def test_close_drops_the_stream_at_once_and_quietly(
    fake: FakeAwsTranscribe,
    recognizer: AwsTranscribeRecognizer,
    speech: dict[str, list[bytes]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.controls.say(LINES[0])
    collector = await open_stream(recognizer)
    await collector.send(silence(300) + speech[LINES[0]][:20], FAST)
    started = time.monotonic()
    await collector.stream.close()
    assert time.monotonic() - started < 1.0
    deadline = time.monotonic() + 5
    while not fake.controls.streams[-1].disconnected and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert fake.controls.streams[-1].disconnected, "the fake saw the client go"
    assert not fake.controls.streams[-1].ended_by_client
    assert finals(collector.events) == [], "the utterance was abandoned, not finalised"
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == []


async def test_the_registry_builds_it_from_the_standard_aws_variables(
    fake: FakeAwsTranscribe, speech: dict[str, list[bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in environment_for(fake).items():
        monkeypatch.setenv(name, value)
    fake.controls.say(LINES[1])
    recognizer = build_recognizer("aws-transcribe")
    collector = Collector(await recognizer.open(EndpointingConfig()))
    await collector.send(silence(300) + speech[LINES[1]] + silence(800), FAST)
    assert finals(await collector.finish()) == [LINES[1]]
    await recognizer.aclose()


@pytest.mark.parametrize(
    ("variables", "words"),
    [
        ({"AWS_ENDPOINT_URL_TRANSCRIBE_STREAMING": "http://127.0.0.1:1"}, "https://"),
        ({"AWS_ACCESS_KEY_ID": "AKIAONLYTHEKEY000000"}, "set together"),
        ({"AWS_CA_BUNDLE": "/no/such/ca.pem"}, "not a file"),
    ],
)
def test_settings_that_cannot_work_are_refused_when_the_provider_is_built(
    variables: dict[str, str], words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(AwsTranscribeSettingsError, match=words):
        build_recognizer("aws-transcribe")
