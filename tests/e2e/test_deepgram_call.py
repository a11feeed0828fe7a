"""A whole call with Deepgram for speech (through deepgram-sdk, against the local
Deepgram fake), then Deepgram going down mid-deployment: calls go on with the offline
engines as the fallback."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from parley_devstack.fakes.deepgram.controls import DeepgramFakeControls
from parley_devstack.fakes.deepgram.server import FakeDeepgram
from parley_devstack.fleet import ServiceFleet, running_fleet
from parley_simulator import CallerTurn, CallerVoice, CallOptions, place_call

from tests.support.background_loop import served_in_background

pytestmark = pytest.mark.e2e
API_KEY = "e2e-deepgram-key"
SCRIPT = ["I would like to book an appointment", "next monday at nine"]


@pytest.fixture(scope="module")
def deepgram() -> Iterator[FakeDeepgram]:
    with served_in_background(FakeDeepgram(DeepgramFakeControls(api_key=API_KEY))) as fake:
        yield fake


@pytest.fixture(scope="module")
def fleet(
    stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory, deepgram: FakeDeepgram
) -> Iterator[ServiceFleet]:
    extra_env = {
        "PARLEY_STT": "deepgram",
        "PARLEY_TTS": "deepgram",
        "DEEPGRAM_API_KEY": API_KEY,
        "DEEPGRAM_BASE_URL": deepgram.url,
        "PARLEY_STT_FALLBACK": "local",
        "PARLEY_TTS_FALLBACK": "local",
        "PARLEY_STT_PROVIDER_FAILURE_THRESHOLD": "1",
        "PARLEY_TTS_PROVIDER_FAILURE_THRESHOLD": "1",
    }
    with running_fleet(
        stack_env, tmp_path_factory.mktemp("deepgram-services"), extra_env
    ) as services:
        yield services


def call_options(fleet: ServiceFleet, lines: list[str]) -> CallOptions:
    voice = CallerVoice()
    return CallOptions(
        turns=[CallerTurn(script=line, frames=voice.say(line)) for line in lines],
        edge_url=fleet.processes["edge"].url,
        janitor_url=fleet.processes["janitor"].url,
        janitor_api_key=fleet.janitor_api_key,
        reply_timeout_s=30,
    )


def words(text: str | None) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", (text or "").lower()))


async def test_a_call_runs_on_deepgram_end_to_end(
    fleet: ServiceFleet, deepgram: FakeDeepgram
) -> None:
    deepgram.controls.say(*SCRIPT)
    connections = len(deepgram.controls.connected_at)
    report = await place_call(call_options(fleet, SCRIPT))

    # Deepgram's transcripts (the fake's script, timed by the caller's real audio).
    assert [t.transcript for t in report.turns] == SCRIPT
    assert {"monday", "nine"} & words(report.turns[1].reply), report.turns[1].reply
    assert all(t.reply_audio for t in report.turns), "every reply was heard"
    assert len(deepgram.controls.connected_at) > connections
    assert deepgram.controls.listen_queries[-1]["encoding"] == "mulaw"
    spoken = sum(r.bytes_sent for r in deepgram.controls.speak_records)
    assert spoken > 0, "the replies were synthesised by Deepgram"
    assert report.session is not None
    assert report.session["sttProvider"] == "deepgram"
    assert report.session["ttsProvider"] == "deepgram"


async def test_when_deepgram_goes_down_calls_continue_on_the_offline_engines(
    fleet: ServiceFleet, deepgram: FakeDeepgram
) -> None:
    controls = deepgram.controls
    controls.listen.reject_next = 1000
    controls.speak.reject_next = 1000
    try:
        line = "I would like to book an appointment"
        report = await place_call(call_options(fleet, [line]))
    finally:
        controls.listen.reject_next = 0
        controls.speak.reject_next = 0

    turn = report.turns[0]
    # pocketsphinx heard the caller's real audio; piper spoke the answer.
    assert "appointment" in words(turn.transcript), turn.transcript
    assert turn.reply is not None and turn.reply_audio
    assert report.greeting_audio, "the greeting was spoken by the fallback"
    assert controls.listen.attempts > 0 and controls.speak.attempts > 0
    failovers = [
        line
        for name in ("stt", "tts")
        for line in fleet.processes[name].log_lines()
        if f'"event":"{name}.failover"' in line
    ]
    assert failovers, "the failover was logged"
