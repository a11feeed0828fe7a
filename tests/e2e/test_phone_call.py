"""A real phone call through every service as its own process, on real Kafka and Redis."""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys

import jiwer
import pytest
from parley_audio.framing import split_frames
from parley_audio.levels import is_speech_like
from parley_devstack.fleet import ServiceFleet
from parley_simulator import CallerTurn, CallerVoice, CallOptions, CallReport, place_call
from parley_speech import transcribe_recording

pytestmark = pytest.mark.e2e

# Lines pocketsphinx hears reliably in piper's voice over the phone band ("tomorrow at
# two" is misheard about half the time, which would test the engine, not Parley).
SCRIPT = ["I would like to book an appointment", "next monday at nine"]
# Words the demo receptionist's reply to each line must contain.
REPLY_KEYWORDS = [
    {"appointment", "book", "day", "time"},
    {"monday", "nine", "booked", "anything", "else", "help"},
]
# pocketsphinx is a weak listener for a neural voice on a telephone line; half the words
# right still tells the reply's audio apart from any other speech.
REPLY_MAX_WER = 0.6


def transcribe(mulaw: bytes) -> str:
    """What an independent listener (pocketsphinx) hears in the agent's audio."""
    return transcribe_recording(mulaw).lower()


def options(fleet: ServiceFleet, lines: list[str]) -> CallOptions:
    voice = CallerVoice()
    return CallOptions(
        turns=[CallerTurn(script=line, frames=voice.say(line)) for line in lines],
        edge_url=fleet.processes["edge"].url,
        janitor_url=fleet.processes["janitor"].url,
        janitor_api_key=fleet.janitor_api_key,
        auth_token=fleet.service_env().get("TWILIO_AUTH_TOKEN", "dev-auth-token"),
    )


@pytest.fixture(scope="module")
async def two_turn_call(fleet: ServiceFleet) -> CallReport:
    return await place_call(options(fleet, SCRIPT))


def test_caller_words_are_transcribed(two_turn_call: CallReport) -> None:
    heard = [t.transcript or "" for t in two_turn_call.turns]
    error = jiwer.wer(" ".join(SCRIPT).lower(), " ".join(heard).lower())
    assert error <= 0.35, f"word error rate {error:.2f}: heard {heard}"


def words_of(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def test_agent_replies_are_speech_with_the_expected_words(two_turn_call: CallReport) -> None:
    assert is_speech_like(two_turn_call.greeting_audio), "the agent should greet the caller"
    written, heard_all = [], []
    for turn, keywords in zip(two_turn_call.turns, REPLY_KEYWORDS, strict=True):
        assert turn.reply is not None and keywords & set(words_of(turn.reply).split()), turn.reply
        frames = split_frames(turn.reply_audio)
        speech_frames = sum(is_speech_like(f) for f in frames)
        assert speech_frames > 25, f"reply to {turn.script!r} has {speech_frames} speech frames"
        heard = words_of(transcribe(turn.reply_audio))
        print(f"\nreply {turn.reply!r} heard as {heard!r}")
        assert keywords & set(heard.split()), f"reply {turn.reply!r} heard as {heard!r}"
        written.append(words_of(turn.reply))
        heard_all.append(heard)
        assert turn.latency_ms is not None and turn.latency_ms > 0
    # The caller hears the replies the agent wrote, not some other audio.
    error = jiwer.wer(" ".join(written), " ".join(heard_all))
    assert error <= REPLY_MAX_WER, f"replies {written} heard as {heard_all} (WER {error:.2f})"


def test_turns_are_recorded_in_order_and_session_closed(two_turn_call: CallReport) -> None:
    session = two_turn_call.session
    assert session is not None
    assert session["status"] == "closed"
    assert session["callSid"] == two_turn_call.call_sid
    turns = session["turns"]
    assert [t["turnId"] for t in turns] == [1, 2]
    for recorded, turn in zip(turns, two_turn_call.turns, strict=True):
        assert recorded["userUtterance"] == turn.transcript
        assert recorded["agentResponse"]
        # Parley's own measure of the turn, stage by stage, adds up to its total.
        stages = recorded["latencyStages"]
        assert set(stages) == {"stt", "agent", "tts", "playback"}
        assert abs(sum(stages.values()) - recorded["latencyMs"]) < 5
    latencies = [t.latency_ms for t in two_turn_call.turns if t.latency_ms is not None]
    print(
        f"\nend of speech -> first agent audio: {[round(x) for x in latencies]} ms, "
        f"median {statistics.median(latencies):.0f} ms"
    )


async def test_agent_hangs_up_after_goodbye(fleet: ServiceFleet) -> None:
    report = await place_call(options(fleet, ["no thank you goodbye"]))
    assert report.ended_by == "agent", f"heard {[t.transcript for t in report.turns]}"
    assert report.session is not None and report.session["status"] == "closed"
    assert report.session["metadata"]["closeReason"] in {"agent_hangup", "completed"}


def test_call_command_reports_the_turn_as_json(fleet: ServiceFleet) -> None:
    env = {
        **os.environ,
        "TWILIO_AUTH_TOKEN": fleet.service_env().get("TWILIO_AUTH_TOKEN", "dev-auth-token"),
        "PARLEY_API_KEY": fleet.janitor_api_key,
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "parley_simulator.cli",
            "call",
            "--say",
            "what time do you open on monday",
            "--json",
            "--edge-url",
            fleet.processes["edge"].url,
            "--janitor-url",
            fleet.processes["janitor"].url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    (turn,) = report["turns"]
    assert turn["latencyMs"] > 0
    assert "monday" in (turn["reply"] or "").lower() or "open" in (turn["reply"] or "").lower()


def test_no_service_logged_an_error(fleet: ServiceFleet, two_turn_call: CallReport) -> None:
    assert fleet.error_lines() == {}
