"""SIGKILL the worker holding a live call (stt, dialogue or tts): its twin takes the
partitions over and the caller's next utterance is answered."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from aiokafka.partitioner import murmur2
from parley_audio.framing import FRAME_MS
from parley_contracts import AUDIO_IN, REPLIES, TRANSCRIPTS, TopicSpec
from parley_devstack.fleet import ServiceFleet
from parley_simulator import CallerTurn, CallerVoice, CallOptions, place_call

from tests.chaos.fault_report import FaultReport

pytestmark = pytest.mark.e2e
# The broker notices a dead consumer after its session timeout (6 s), then rebalances.
TAKEOVER_WAIT_S = 9.0
INPUT_TOPIC = {"stt": AUDIO_IN, "dialogue": TRANSCRIPTS, "tts": REPLIES}


def partition_of(session_id: str, topic: TopicSpec) -> int:
    """The partition Kafka's default partitioner gives the session's key."""
    return (murmur2(session_id.encode()) & 0x7FFFFFFF) % topic.partitions


def holds(fleet: ServiceFleet, instance: str, topic: TopicSpec, partition: int) -> bool:
    text = httpx.get(fleet.processes[instance].url + "/metrics", timeout=5).text
    return f'parley_consumer_lag{{partition="{partition}",topic="{topic.name}"}}' in text


def metric(fleet: ServiceFleet, instance: str, name: str) -> float:
    text = httpx.get(fleet.processes[instance].url + "/metrics", timeout=5).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


@pytest.mark.parametrize("service", ["stt", "dialogue", "tts"])
async def test_worker_killed_mid_call(fleet: ServiceFleet, service: str) -> None:
    voice = CallerVoice()
    topic = INPUT_TOPIC[service]
    instances = (service, f"{service}-2")
    report_state: dict[str, str | float] = {}

    async def kill_the_holder(session_id: str) -> None:
        partition = partition_of(session_id, topic)
        deadline = time.monotonic() + 10  # the lag gauge refreshes every 5 s
        holder = None
        while holder is None and time.monotonic() < deadline:
            holder = next((i for i in instances if holds(fleet, i, topic, partition)), None)
            await asyncio.sleep(0.5)
        assert holder is not None, f"no {service} instance reports {topic.name}[{partition}]"
        fleet.kill(holder)
        report_state.update(killed=holder, at=time.time())
        await asyncio.sleep(TAKEOVER_WAIT_S)

    first, second = "I would like to book an appointment", "what time do you open on monday"
    options = CallOptions(
        turns=[
            CallerTurn(script=first, frames=voice.say(first)),
            CallerTurn(script=second, frames=voice.say(second), before_speaking=kill_the_holder),
        ],
        edge_url=fleet.processes["edge"].url,
        janitor_url=fleet.processes["janitor"].url,
        janitor_api_key=fleet.janitor_api_key,
        reply_timeout_s=30,
    )
    report = await place_call(options)
    answered = report.turns[1]
    assert answered.reply is not None and "monday" in answered.reply.lower(), answered.reply
    assert report.session is not None
    assert [t["turnId"] for t in report.session["turns"]] == [1, 2]
    survivor = next(i for i in instances if i != report_state["killed"])
    if service == "stt":  # the dead worker's backlog was skipped, not transcribed late
        assert metric(fleet, survivor, "stt_stale_frames_total") > 0
    # Put the pair back for the next case.
    killed = str(report_state["killed"])
    fleet.add_instance(service, killed, fleet.processes[killed].port)
    FaultReport.of_call(
        f"{service} worker holding the call SIGKILLed ({killed}; {survivor} took over)",
        report,
        lost="nothing: both turns answered and stored",
        recovery_s=TAKEOVER_WAIT_S
        + len(options.turns[1].frames) * FRAME_MS / 1000
        + (answered.latency_ms or 0) / 1000,
        recovery_measures=f"kill -> first audio of the answer; the caller waits "
        f"{TAKEOVER_WAIT_S:.0f} s before speaking, so this is an upper bound",
        turn2_reply_latency_ms=round(answered.latency_ms or 0),
    ).publish()
