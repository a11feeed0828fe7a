"""A whole call with Google Cloud for speech (through Google's own client libraries,
against the local gRPC fake of Speech-to-Text and Text-to-Speech)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from parley_devstack.fakes.google_speech import FakeGoogleSpeech
from parley_devstack.fleet import ServiceFleet, running_fleet
from parley_simulator import CallerTurn, CallerVoice, CallOptions, place_call

from tests.support.background_loop import served_in_background

pytestmark = pytest.mark.e2e
SCRIPT = ["I would like to book an appointment", "next monday at nine"]


@pytest.fixture(scope="module")
def google() -> Iterator[FakeGoogleSpeech]:
    with served_in_background(FakeGoogleSpeech()) as fake:
        yield fake


@pytest.fixture(scope="module")
def fleet(
    stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory, google: FakeGoogleSpeech
) -> Iterator[ServiceFleet]:
    extra_env = {
        "PARLEY_STT": "google-cloud",
        "PARLEY_TTS": "google-cloud",
        "PARLEY_GOOGLE_SPEECH_ENDPOINT": google.endpoint,
        "PARLEY_GOOGLE_TTS_ENDPOINT": google.endpoint,
    }
    with running_fleet(
        stack_env, tmp_path_factory.mktemp("google-services"), extra_env
    ) as services:
        yield services


def words(text: str | None) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", (text or "").lower()))


async def test_a_call_runs_on_google_cloud_end_to_end(
    fleet: ServiceFleet, google: FakeGoogleSpeech
) -> None:
    google.script.extend(SCRIPT)
    streams, syntheses = google.seen.streams, len(google.seen.syntheses)
    voice = CallerVoice()
    report = await place_call(
        CallOptions(
            turns=[CallerTurn(script=line, frames=voice.say(line)) for line in SCRIPT],
            edge_url=fleet.processes["edge"].url,
            janitor_url=fleet.processes["janitor"].url,
            janitor_api_key=fleet.janitor_api_key,
            reply_timeout_s=30,
        )
    )

    assert [t.transcript for t in report.turns] == SCRIPT
    assert {"monday", "nine"} & words(report.turns[1].reply), report.turns[1].reply
    assert report.greeting_audio and all(t.reply_audio for t in report.turns)
    assert google.seen.streams > streams, "recognised by Google's streaming API"
    assert len(google.seen.syntheses) > syntheses, "spoken by Google's Text-to-Speech"
    config = google.seen.configs[-1]
    assert config.sample_rate_hertz == 8000
    assert report.session is not None and report.session["sttProvider"] == "google-cloud"
