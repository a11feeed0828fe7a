"""A whole call with Amazon Transcribe for recognition (through amazon-transcribe,
against the local Transcribe fake over HTTP/2 and TLS) and the offline voice for the
replies: the stt service reads its AWS settings from the standard variables."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from parley_devstack.fakes.aws_transcribe import FakeAwsTranscribe
from parley_devstack.fleet import ServiceFleet, running_fleet
from parley_simulator import CallerTurn, CallerVoice, CallOptions, place_call

from tests.integration.speech.aws_transcribe_fake import environment_for
from tests.support.background_loop import served_in_background

pytestmark = pytest.mark.e2e
SCRIPT = ["I would like to book an appointment", "next monday at nine"]


@pytest.fixture(scope="module")
def transcribe() -> Iterator[FakeAwsTranscribe]:
    with served_in_background(FakeAwsTranscribe()) as fake:
        yield fake


@pytest.fixture(scope="module")
def fleet(
    stack_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    transcribe: FakeAwsTranscribe,
) -> Iterator[ServiceFleet]:
    extra_env = {"PARLEY_STT": "aws-transcribe", **environment_for(transcribe)}
    with running_fleet(
        stack_env, tmp_path_factory.mktemp("aws-transcribe-services"), extra_env
    ) as services:
        yield services


def words(text: str | None) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", (text or "").lower()))


async def test_a_call_runs_on_aws_transcribe_end_to_end(
    fleet: ServiceFleet, transcribe: FakeAwsTranscribe
) -> None:
    transcribe.controls.say(*SCRIPT)
    voice = CallerVoice()
    options = CallOptions(
        turns=[CallerTurn(script=line, frames=voice.say(line)) for line in SCRIPT],
        edge_url=fleet.processes["edge"].url,
        janitor_url=fleet.processes["janitor"].url,
        janitor_api_key=fleet.janitor_api_key,
        reply_timeout_s=30,
    )
    report = await place_call(options)

    # Transcribe's transcripts (the fake's script, timed by the caller's real audio).
    assert [t.transcript for t in report.turns] == SCRIPT
    assert {"monday", "nine"} & words(report.turns[1].reply), report.turns[1].reply
    assert all(t.reply_audio for t in report.turns), "every reply was heard"
    streams = transcribe.controls.streams
    assert streams and all(s.status == 200 for s in streams)
    assert streams[0].headers["x-amzn-transcribe-media-encoding"] == "pcm"
    assert sum(s.audio_bytes for s in streams) > 0
    assert report.session is not None
    assert report.session["sttProvider"] == "aws-transcribe"
