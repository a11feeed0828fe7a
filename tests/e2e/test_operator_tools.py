"""`parley topics`, `parley inspect`, `parley replay` and every service's /metrics against a
real recorded call."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import httpx
import jiwer
import orjson
import pytest
from parley_devstack.fleet import ServiceFleet
from parley_simulator import CallReport
from prometheus_client.parser import text_string_to_metric_families

from tests.support.calls import call_saying

pytestmark = pytest.mark.e2e
LINES = ["I would like to book an appointment", "what time do you open on monday"]


@pytest.fixture(scope="module")
async def recorded_call(fleet: ServiceFleet) -> CallReport:
    return await call_saying(fleet, *LINES)


def kafka_env(fleet: ServiceFleet) -> dict[str, str]:
    return {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": fleet.infra_env["KAFKA_BOOTSTRAP_SERVERS"]}


def parley(
    fleet: ServiceFleet, *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    env = kafka_env(fleet)
    return subprocess.run(
        [sys.executable, "-m", "parley_ops.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def test_inspect_follows_one_call_across_all_topics(
    fleet: ServiceFleet, recorded_call: CallReport
) -> None:
    result = parley(fleet, "inspect", "all", "--session", recorded_call.session_id, "--json")
    assert result.returncode == 0, result.stderr
    records = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert {r["session"] for r in records} == {recorded_call.session_id}
    # Merged across topics in the order they happened.
    assert [r["at"] for r in records] == sorted(r["at"] for r in records)
    assert next(r for r in records if r["topic"] == "parley.call.events")["kind"] == "call.started"
    topics = {r["topic"] for r in records}
    assert {
        "parley.audio.in",
        "parley.transcripts",
        "parley.replies",
        "parley.audio.out",
        "parley.call.events",
    } <= topics
    kinds = {r["kind"] for r in records}
    assert {"call.started", "stt.transcript", "reply.sentence", "turn.completed"} <= kinds
    # Audio comes as runs of consecutive frames, the caller's speech louder than silence.
    assert "audio.frame" not in kinds
    caller = [r for r in records if r["topic"] == "parley.audio.in"]
    assert all(r["kind"] == "audio.run" for r in caller)
    assert all(r["duration_ms"] == 20 * r["frames"] for r in caller)
    assert sum(r["frames"] for r in caller) > len(caller)
    assert max(r["peak_dbfs"] for r in caller) > -45
    assert "invalid" not in kinds


def test_inspect_shows_each_frame_with_its_level_on_request(
    fleet: ServiceFleet, recorded_call: CallReport
) -> None:
    args = ["audio.in", "--session", recorded_call.session_id, "--json", "--frames"]
    result = parley(fleet, "inspect", *args)
    assert result.returncode == 0, result.stderr
    frames = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert {f["kind"] for f in frames} == {"audio.frame"}
    assert all(f["bytes"] == 160 and isinstance(f["level_dbfs"], float) for f in frames)
    seqs = [int(f["seq"]) for f in frames]
    assert seqs == sorted(seqs) and len(seqs) > 50


async def test_inspect_follows_a_live_call(fleet: ServiceFleet) -> None:
    follow = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "parley_ops.cli", "inspect", "call.events", "transcripts"],
        *["replies", "control", "--follow", "--json"],
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=kafka_env(fleet),
    )
    assert follow.stdout is not None and follow.stderr is not None
    seen: list[dict[str, str]] = []
    try:
        started = await asyncio.wait_for(follow.stderr.readline(), 30)
        assert started.startswith(b"following parley.call.events, parley.transcripts"), started
        report = await call_saying(fleet, "what time do you open on monday")
        while not any(r["kind"] == "call.ended" for r in seen):
            record = orjson.loads(await asyncio.wait_for(follow.stdout.readline(), 30))
            if record["session"] == report.session_id:
                seen.append(record)
    finally:
        follow.terminate()
        await follow.wait()
    kinds = [r["kind"] for r in seen]
    assert {"stt.transcript", "reply.sentence", "turn.completed"} <= set(kinds)
    assert next(r for r in seen if r["topic"] == "parley.call.events")["kind"] == "call.started"


def test_topics_lists_the_catalogue_with_lag(
    fleet: ServiceFleet, recorded_call: CallReport
) -> None:
    result = parley(fleet, "topics", "--describe")
    assert result.returncode == 0, result.stderr
    for topic in ("parley.audio.in", "parley.control", "parley.call.events"):
        assert topic in result.stdout
    assert "parley-stt=" in result.stdout


def test_replay_reproduces_the_recorded_transcripts(
    fleet: ServiceFleet, recorded_call: CallReport
) -> None:
    result = parley(fleet, "replay", recorded_call.session_id, "--json", timeout=90)
    assert result.returncode in (0, 3), result.stdout + result.stderr
    replay = orjson.loads(result.stdout)
    original = [t.transcript for t in recorded_call.turns]
    assert replay["original"] == original
    assert replay["replaySession"] != recorded_call.session_id
    # pocketsphinx's live decoding is not bit-for-bit repeatable between decoders, so
    # "reproduces" means the same utterances with at most an odd word heard differently.
    assert len(replay["replayed"]) == len(original)
    error = jiwer.wer(" ".join(original), " ".join(replay["replayed"]))
    assert error <= 0.2, f"then {original}, now {replay['replayed']}"


def test_inspect_rejects_an_unknown_topic(fleet: ServiceFleet) -> None:
    result = parley(fleet, "inspect", "parley.nope")
    assert result.returncode == 2
    assert "unknown topic parley.nope" in result.stderr


def scrape(fleet: ServiceFleet, service: str) -> dict[str, list[float]]:
    """The values of each sample name on the service's /metrics (one per label set); a
    declared family without samples yet maps to an empty list."""
    text = httpx.get(fleet.processes[service].url + "/metrics", timeout=5).text
    samples: dict[str, list[float]] = {}
    for family in text_string_to_metric_families(text):
        samples.setdefault(family.name, [])
        for sample in family.samples:
            samples.setdefault(sample.name, []).append(sample.value)
    return samples


def test_every_service_exports_its_documented_metrics(
    fleet: ServiceFleet, recorded_call: CallReport
) -> None:
    turns = len(LINES)
    edge = scrape(fleet, "edge")
    assert sum(edge["twilio_media_chunks_total"]) > 0
    assert len(edge["twilio_calls_active"]) == 1
    assert sum(edge["voice_edge_first_frame_ms_count"]) >= turns
    assert sum(scrape(fleet, "stt")["voice_stt_latency_ms_count"]) >= turns
    dialogue = scrape(fleet, "dialogue")
    assert sum(dialogue["voice_turn_duration_ms_count"]) >= turns
    assert sum(dialogue["voice_mcp_latency_ms_count"]) >= turns
    assert "voice_latency_budget_exceeded" in dialogue
    assert sum(scrape(fleet, "tts")["voice_tts_first_byte_ms_count"]) >= turns
    assert sum(scrape(fleet, "janitor")["janitor_sessions_created_total"]) >= 1
    assert sum(scrape(fleet, "agent")["agent_tool_calls_total"]) >= turns
    # Lag is measured every few seconds for each assigned partition.
    for worker in ("stt", "dialogue", "tts", "janitor"):
        assert scrape(fleet, worker)["parley_consumer_lag"], f"{worker} reports no lag"
