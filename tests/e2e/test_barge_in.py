"""The caller interrupts a long reply, through every service and real Kafka."""

from __future__ import annotations

import pytest
from parley_devstack.fleet import ServiceFleet
from parley_simulator import CallerTurn, CallerVoice, CallOptions, CallReport, place_call

pytestmark = pytest.mark.e2e

LONG_QUESTION = "what treatments do you offer"
INTERRUPTION = "I would like to book an appointment"


@pytest.fixture(scope="module")
async def interrupted_call(fleet: ServiceFleet) -> CallReport:
    voice = CallerVoice()
    return await place_call(
        CallOptions(
            turns=[
                CallerTurn(script=LONG_QUESTION, frames=voice.say(LONG_QUESTION)),
                CallerTurn(
                    script=INTERRUPTION, frames=voice.say(INTERRUPTION), barge_in_after_ms=1500
                ),
            ],
            edge_url=fleet.processes["edge"].url,
            janitor_url=fleet.processes["janitor"].url,
            janitor_api_key=fleet.janitor_api_key,
            auth_token=fleet.service_env().get("TWILIO_AUTH_TOKEN", "dev-auth-token"),
        )
    )


def test_playback_is_cleared_and_no_old_audio_follows(interrupted_call: CallReport) -> None:
    assert interrupted_call.clears_received >= 1
    assert interrupted_call.stale_frames_after_clear == 0
    long_reply, _ = interrupted_call.turns
    # The long reply runs for ~20 s; the caller heard only a few seconds of it.
    assert long_reply.cut_off_by_caller
    assert len(long_reply.reply_audio) / 8000 < 8


def test_the_interruption_is_answered(interrupted_call: CallReport) -> None:
    _, answer = interrupted_call.turns
    assert answer.reply is not None and "what day and time" in answer.reply.lower()
    assert len(answer.reply_audio) > 8000


def test_history_marks_the_interrupted_reply_as_cut(interrupted_call: CallReport) -> None:
    assert interrupted_call.session is not None
    turns = interrupted_call.session["turns"]
    assert [t["turnId"] for t in turns] == [1, 2]
    assert turns[0].get("interrupted") is True
    assert "interrupted" not in turns[1]
