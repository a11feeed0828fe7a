"""Deepgram live transcription through the real SDK against the local Deepgram fake:
the fake finds utterances in the audio it receives and says the scripted words."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence

import pytest
from parley_audio import silence_frame
from parley_devstack.fakes.deepgram import FakeDeepgram
from parley_simulator.caller_audio import CallerVoice
from parley_speech import (
    EndpointingConfig,
    FinalTranscript,
    InterimTranscript,
    ProviderAuthError,
    ResilientRecognitionStream,
    SpeechStarted,
)
from parley_speech.deepgram import DeepgramRecognizer, DeepgramSettings, DeepgramSettingsError
from parley_speech.providers import RECOGNIZERS

from tests.integration.speech.deepgram_fake import Collector, environment_for, settings_for

pytestmark = pytest.mark.integration
CALLER = CallerVoice()
FAST = 0.005  # the fake times everything by the audio, so most tests send 4x real time
BOOKING = "i would like to book a table for four people on friday evening"


def silence(ms: int) -> list[bytes]:
    return [silence_frame()] * (ms // 20)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDeepgram]:
    async with FakeDeepgram() as server:
        yield server


async def open_stream(fake: FakeDeepgram, **settings: object) -> Collector:
    recognizer = DeepgramRecognizer(settings_for(fake, **settings))
    stream = await recognizer.open(EndpointingConfig())
    return Collector(stream)


def finals(events: Sequence[object]) -> list[FinalTranscript]:
    return [e for e in events if isinstance(e, FinalTranscript)]


async def test_interim_results_grow_then_each_utterance_ends_with_one_final(
    fake: FakeDeepgram,
) -> None:
    fake.controls.say("next monday at nine", "yes please")
    first, second = CALLER.say("next monday at nine"), CALLER.say("yes please")
    collector = await open_stream(fake)
    await collector.send(silence(500) + first + silence(600) + second + silence(600), FAST)
    events = await collector.finish()

    kinds = [type(e).__name__ for e in events]
    assert kinds[0] == "SpeechStarted" and kinds.count("SpeechStarted") == 2, kinds
    assert [f.text for f in finals(events)] == ["next monday at nine", "yes please"]
    cut = kinds.index("FinalTranscript")
    interims = [e for e in events[:cut] if isinstance(e, InterimTranscript)]
    assert interims, kinds
    assert all("next monday at nine".startswith(i.text) for i in interims)
    assert [len(i.text) for i in interims] == sorted(len(i.text) for i in interims)
    # Times are positions in the audio sent: speech starts after the 500 ms of silence.
    assert isinstance(events[0], SpeechStarted) and 440 <= events[0].offset_ms <= 560
    assert abs(finals(events)[0].end_ms - (500 + 20 * len(first))) <= 100
    # What the SDK asked for: the call's mu-law as is, endpointing from the call's settings.
    query = fake.controls.listen_queries[0]
    assert query["encoding"] == "mulaw" and query["sample_rate"] == "8000"
    assert query["model"] == "nova-3" and query["endpointing"] == "300"
    assert query["interim_results"] == query["vad_events"] == "true"
    assert query["utterance_end_ms"] == "1000"
    assert fake.controls.finalizes == fake.controls.close_streams == 1


async def test_final_segments_of_a_long_utterance_make_one_final_transcript(
    fake: FakeDeepgram,
) -> None:
    fake.controls.segment_ms = 800  # Deepgram finalises long speech in pieces
    fake.controls.say(BOOKING)
    collector = await open_stream(fake)
    await collector.send(silence(300) + CALLER.say(BOOKING) + silence(600), FAST)
    events = await collector.finish()

    assert [f.text for f in finals(events)] == [BOOKING]
    interims = [e.text for e in events if isinstance(e, InterimTranscript)]
    assert any(len(text.split()) > 4 for text in interims)
    assert all(BOOKING.startswith(text) for text in interims), interims


async def test_finishing_mid_utterance_finalises_what_was_said(fake: FakeDeepgram) -> None:
    fake.controls.say("next monday at nine")
    collector = await open_stream(fake)
    await collector.send(silence(200) + CALLER.say("next monday at nine"), FAST)
    events = await collector.finish()
    assert [f.text for f in finals(events)] == ["next monday at nine"]


async def test_keepalive_during_silence_keeps_the_stream_open(fake: FakeDeepgram) -> None:
    fake.controls.idle_timeout_s = 1.0  # Deepgram's is about ten seconds
    fake.controls.say("yes please", "next monday at nine")
    collector = await open_stream(fake, keepalive_s=0.3)
    await collector.send(CALLER.say("yes please") + silence(400), FAST)
    await asyncio.sleep(2.0)  # the caller's audio stops arriving (e.g. on hold)
    await collector.send(CALLER.say("next monday at nine") + silence(400), FAST)
    events = await collector.finish()

    assert [f.text for f in finals(events)] == ["yes please", "next monday at nine"]
    assert len(fake.controls.connected_at) == 1
    assert fake.controls.keepalives >= 4 and fake.controls.idle_closes == 0
    assert isinstance(collector.stream, ResilientRecognitionStream)
    assert collector.stream.reconnects == 0


async def test_without_keepalive_the_idle_socket_is_closed_and_reopened(
    fake: FakeDeepgram,
) -> None:
    fake.controls.idle_timeout_s = 0.5
    collector = await open_stream(fake, keepalive_s=60)
    await asyncio.sleep(1.0)
    await collector.finish()
    assert fake.controls.idle_closes >= 1
    assert len(fake.controls.connected_at) >= 2


async def test_a_connection_dropped_mid_utterance_loses_no_words(fake: FakeDeepgram) -> None:
    fake.controls.say(BOOKING)
    fake.controls.drop_after_ms = 300 + 1200  # well inside the utterance
    speech = CALLER.say(BOOKING)
    assert len(speech) * 20 > 2500
    collector = await open_stream(fake)
    await collector.send(silence(300) + speech + silence(600))
    events = await collector.finish()

    assert [f.text for f in finals(events)] == [BOOKING], "every word, once, in order"
    interims_before_drop = [e for e in events if isinstance(e, InterimTranscript)]
    assert interims_before_drop, "words were reported before the drop"
    assert len(fake.controls.connected_at) == 2 and len(fake.controls.dropped_at) == 1
    assert isinstance(collector.stream, ResilientRecognitionStream)
    assert collector.stream.reconnects == 1
    gap_s = fake.controls.connected_at[1] - fake.controls.dropped_at[0]
    print(f"reconnection gap after a drop: {gap_s * 1000:.0f} ms")
    assert gap_s < 1.0
    final = finals(events)[0]
    assert abs(final.end_ms - (300 + 20 * len(speech))) <= 100, "times survive the replay"


async def test_refused_credentials_fail_at_once_without_retrying(fake: FakeDeepgram) -> None:
    recognizer = DeepgramRecognizer(settings_for(fake, api_key="not-the-key"))
    with pytest.raises(ProviderAuthError, match="DEEPGRAM_API_KEY"):
        await recognizer.open(EndpointingConfig())
    assert fake.controls.listen.attempts == 1
    await recognizer.aclose()


async def test_rate_limited_connect_backs_off_then_succeeds(fake: FakeDeepgram) -> None:
    fake.controls.listen.rate_limit_next = 2
    fake.controls.listen.retry_after = "0.2"
    fake.controls.say("yes please")
    started = time.monotonic()
    collector = await open_stream(fake)
    waited_s = time.monotonic() - started
    await collector.send(CALLER.say("yes please") + silence(400), FAST)
    events = await collector.finish()

    assert fake.controls.listen.attempts == 3
    assert waited_s >= 0.4, "waited at least retry-after before each new attempt"
    assert [f.text for f in finals(events)] == ["yes please"]


async def test_an_outage_at_connect_is_retried(fake: FakeDeepgram) -> None:
    fake.controls.listen.reject_next = 2  # 503
    collector = await open_stream(fake)
    await collector.finish()
    assert fake.controls.listen.attempts == 3


def test_a_missing_api_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEEPGRAM_API_KEY", raising=False)
    with pytest.raises(DeepgramSettingsError, match="DEEPGRAM_API_KEY"):
        RECOGNIZERS["deepgram"]()


async def test_the_registry_builds_it_from_the_environment(
    fake: FakeDeepgram, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in environment_for(fake, model="nova-2-phonecall").items():
        monkeypatch.setenv(name, value)
    recognizer = RECOGNIZERS["deepgram"]()
    assert isinstance(recognizer, DeepgramRecognizer)
    assert recognizer.settings == DeepgramSettings()
    collector = Collector(await recognizer.open(EndpointingConfig(silence_ms=500)))
    await collector.finish()
    await recognizer.aclose()
    assert fake.controls.listen_queries[0]["model"] == "nova-2-phonecall"
    assert fake.controls.listen_queries[0]["endpointing"] == "500"
