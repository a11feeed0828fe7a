"""Google Cloud streaming recognition through Google's client library against the local
gRPC fake: the fake finds utterances in the audio it receives and says scripted lines."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from parley_audio import silence_frame
from parley_devstack.fakes.google_speech import FakeGoogleSpeech
from parley_simulator.caller_audio import CallerVoice
from parley_speech import (
    EndpointingConfig,
    FinalTranscript,
    InterimTranscript,
    ProviderAuthError,
    ProviderUnavailable,
    RecognizerEvent,
    SpeechStarted,
)
from parley_speech.google import GoogleRecognizer

from tests.integration.speech.deepgram_fake import Collector
from tests.integration.speech.google_fake import FAST_RETRIES, settings_for

pytestmark = pytest.mark.integration
CALLER = CallerVoice()
FAST = 0.005  # the fake times everything by the audio, so most tests send 4x real time
LINES = ("next monday at nine", "yes please", "can you move it to ten")


def silence(ms: int) -> list[bytes]:
    return [silence_frame()] * (ms // 20)


def finals(events: list[RecognizerEvent]) -> list[FinalTranscript]:
    return [e for e in events if isinstance(e, FinalTranscript)]


@pytest.fixture(scope="module")
def speech() -> dict[str, list[bytes]]:
    return {line: CALLER.say(line) for line in LINES}


@pytest.fixture
async def fake() -> AsyncIterator[FakeGoogleSpeech]:
    async with FakeGoogleSpeech() as server:
        yield server


@pytest.fixture
async def recognizer(fake: FakeGoogleSpeech) -> AsyncIterator[GoogleRecognizer]:
    recognizer = GoogleRecognizer(settings_for(fake), FAST_RETRIES)
    yield recognizer
    await recognizer.aclose()


async def open_stream(recognizer: GoogleRecognizer) -> Collector:
    return Collector(await recognizer.open(EndpointingConfig()))


def conversation(speech: dict[str, list[bytes]]) -> tuple[list[bytes], list[int]]:
    """The three lines with a second of silence around each, and where each one ends."""
    frames, ends = silence(500), []
    for line in LINES:
        frames += speech[line]
        ends.append(20 * len(frames))
        frames += silence(1000)
    return frames, ends


async def test_interim_results_grow_then_each_utterance_ends_with_one_final(
    fake: FakeGoogleSpeech, recognizer: GoogleRecognizer, speech: dict[str, list[bytes]]
) -> None:
    fake.script.extend(LINES[:2])
    first, second = speech[LINES[0]], speech[LINES[1]]
    collector = await open_stream(recognizer)
    await collector.send(silence(500) + first + silence(800) + second + silence(800), FAST)
    events = await collector.finish()

    kinds = [type(e).__name__ for e in events]
    assert kinds[0] == "SpeechStarted" and kinds.count("SpeechStarted") == 2, kinds
    assert [f.text for f in finals(events)] == list(LINES[:2])
    assert kinds[-1] == "FinalTranscript", "nothing comes after the last utterance's final"
    cut = kinds.index("FinalTranscript")
    interims = [e for e in events[:cut] if isinstance(e, InterimTranscript)]
    assert len(interims) >= 2, kinds
    assert all(LINES[0].startswith(i.text) for i in interims)
    assert [len(i.text) for i in interims] == sorted(len(i.text) for i in interims)
    # Times are positions in the call's audio, from Google's result_end_time.
    assert isinstance(events[0], SpeechStarted) and 480 <= events[0].offset_ms <= 540
    one, two = finals(events)
    assert abs(one.end_ms - (500 + 20 * len(first))) <= 60, one
    assert one.start_ms == events[0].offset_ms and two.start_ms >= one.end_ms + 700
    assert all(i.end_ms <= one.end_ms for i in interims)
    # What the client library sent: the call's mu-law as it is, the phone model.
    config = fake.seen.configs[0]
    assert config.encoding.name == "MULAW" and config.sample_rate_hertz == 8000
    assert config.model == "phone_call" and config.language_code == "en-US"


async def test_finishing_mid_utterance_returns_its_final(
    fake: FakeGoogleSpeech, recognizer: GoogleRecognizer, speech: dict[str, list[bytes]]
) -> None:
    fake.script.extend([LINES[2]])
    collector = await open_stream(recognizer)
    await collector.send(silence(300) + speech[LINES[2]], FAST)
    events = await collector.finish()  # the half-close makes Google finalise
    assert [f.text for f in finals(events)] == [LINES[2]]
    assert fake.seen.streams == 1


async def test_rotation_before_the_stream_limit_loses_no_words(
    fake: FakeGoogleSpeech, speech: dict[str, list[bytes]]
) -> None:
    fake.script.extend(LINES)
    policy = replace(FAST_RETRIES, max_connection_s=1.5)
    recognizer = GoogleRecognizer(settings_for(fake), policy)
    frames, ends = conversation(speech)
    collector = await open_stream(recognizer)
    await collector.send(frames)  # real time: rotation goes by the clock
    events = await collector.finish()
    await recognizer.aclose()

    assert fake.seen.streams >= 4, fake.seen.stream_audio_ms
    assert [f.text for f in finals(events)] == list(LINES)
    # Rotation replays the unconfirmed audio; times stay positions in the call.
    for final, end in zip(finals(events), ends, strict=True):
        assert abs(final.end_ms - end) <= 60, (final, end)


async def test_googles_stream_duration_limit_is_survived_without_losing_words(
    speech: dict[str, list[bytes]],
) -> None:
    async with FakeGoogleSpeech(LINES, max_stream_s=2.5) as fake:
        recognizer = GoogleRecognizer(settings_for(fake), FAST_RETRIES)  # no rotation
        frames, ends = conversation(speech)
        collector = await open_stream(recognizer)
        await collector.send(frames, FAST)
        events = await collector.finish()
        await recognizer.aclose()

    assert fake.seen.streams >= 3  # each ended with OUT_OF_RANGE after 2.5 s of audio
    assert [f.text for f in finals(events)] == list(LINES)
    for final, end in zip(finals(events), ends, strict=True):
        assert abs(final.end_ms - end) <= 60, (final, end)


async def test_a_stream_dropped_mid_utterance_reconnects_and_keeps_every_word(
    fake: FakeGoogleSpeech, recognizer: GoogleRecognizer, speech: dict[str, list[bytes]]
) -> None:
    fake.script.extend([LINES[2]])
    fake.cues.drop_mid_utterance = 1
    collector = await open_stream(recognizer)
    await collector.send(silence(400) + speech[LINES[2]] + silence(800), FAST)
    events = await collector.finish()

    assert fake.seen.streams == 2
    assert [f.text for f in finals(events)] == [LINES[2]]
    assert abs(finals(events)[0].end_ms - (400 + 20 * len(speech[LINES[2]]))) <= 60


async def test_refused_credentials_fail_at_once_without_retrying(
    fake: FakeGoogleSpeech, recognizer: GoogleRecognizer
) -> None:
    fake.cues.reject_auth = True
    with pytest.raises(ProviderAuthError, match=r"UNAUTHENTICATED.*GOOGLE_APPLICATION_CREDENTIALS"):
        await recognizer.open(EndpointingConfig())
    assert fake.seen.streams == 1


async def test_rate_limits_back_off_as_google_asks_then_recognition_goes_on(
    fake: FakeGoogleSpeech, recognizer: GoogleRecognizer, speech: dict[str, list[bytes]]
) -> None:
    fake.script.extend([LINES[1]])
    fake.cues.rate_limit_next, fake.cues.retry_after_s = 2, 0.2
    started = time.monotonic()
    collector = await open_stream(recognizer)
    waited = time.monotonic() - started
    # RetryInfo said 0.2 s (jittered up to 2x) each time; without it the back-off is 5 s.
    assert 0.4 <= waited < 3.0, waited
    assert fake.seen.streams == 3
    await collector.send(silence(200) + speech[LINES[1]] + silence(800), FAST)
    assert [f.text for f in finals(await collector.finish())] == [LINES[1]]


async def test_an_outage_gives_up_after_the_last_attempt(
    fake: FakeGoogleSpeech, recognizer: GoogleRecognizer
) -> None:
    fake.cues.fail_next = 100
    with pytest.raises(ProviderUnavailable, match=r"5 attempts.*UNAVAILABLE"):
        await recognizer.open(EndpointingConfig())
    assert fake.seen.streams == len(FAST_RETRIES.delays_s)


def test_the_registry_builds_the_provider_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from parley_speech.providers import RECOGNIZERS

    monkeypatch.setenv("PARLEY_GOOGLE_SPEECH_ENDPOINT", "127.0.0.1:1")
    monkeypatch.setenv("PARLEY_GOOGLE_MAX_STREAM_S", "120")
    recognizer = RECOGNIZERS["google-cloud"]()
    assert isinstance(recognizer, GoogleRecognizer)
    assert recognizer.settings.speech_endpoint == "127.0.0.1:1"
    assert recognizer.settings.max_stream_s == 120
