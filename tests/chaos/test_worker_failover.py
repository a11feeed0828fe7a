"""SIGKILL the stt worker holding a live call: the other worker takes its partitions,
skips the stale backlog, and the caller's next utterance is answered."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import httpx
import orjson
import pytest
from parley_devstack.fleet import ServiceFleet
from parley_simulator import CallerTurn, CallerVoice, CallOptions, place_call

pytestmark = pytest.mark.e2e
STT_INSTANCES = ("stt", "stt-2")
# The broker notices a dead consumer after its session timeout (6 s), then rebalances.
TAKEOVER_WAIT_S = 9.0


def holder_of(fleet: ServiceFleet, session_id: str) -> str:
    for name in STT_INSTANCES:
        for line in fleet.processes[name].log_lines():
            if session_id in line and "stt.opened" in line:
                return name
    raise AssertionError(f"no stt worker opened a recogniser for {session_id}")


def metric(fleet: ServiceFleet, instance: str, name: str) -> float:
    text = httpx.get(fleet.processes[instance].url + "/metrics", timeout=5).text
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


async def test_stt_worker_killed_mid_call(fleet: ServiceFleet) -> None:
    voice = CallerVoice()
    killed: dict[str, float | str] = {}
    session: dict[str, str] = {}

    async def kill_the_holder() -> None:
        victim = holder_of(fleet, session["id"])
        fleet.kill(victim)
        killed.update(name=victim, at=time.time())
        await asyncio.sleep(TAKEOVER_WAIT_S)

    first, second = "I would like to book an appointment", "what time do you open on monday"
    options = CallOptions(
        turns=[
            CallerTurn(script=first, frames=voice.say(first)),
            CallerTurn(script=second, frames=voice.say(second), before_speaking=kill_the_holder),
        ],
        edge_url=fleet.processes["edge"].url,
        janitor_url=fleet.processes["janitor"].url,
        reply_timeout_s=30,
    )
    call = asyncio.create_task(place_call(options))
    while not call.done() and not session:
        await asyncio.sleep(0.1)
        for name in STT_INSTANCES:
            for line in fleet.processes[name].log_lines():
                if "stt.opened" in line:
                    session["id"] = orjson.loads(line)["session"]
    report = await call
    assert report.session_id == session["id"]
    survivor = next(n for n in STT_INSTANCES if n != killed["name"])
    answered = report.turns[1]
    assert answered.reply is not None and "monday" in answered.reply.lower(), answered.reply
    # The dead worker's backlog (the caller's silence during the takeover) was skipped.
    assert metric(fleet, survivor, "stt_stale_frames_total") > 0
    assert report.session is not None and [t["turnId"] for t in report.session["turns"]] == [1, 2]
    takeover_s = reopened_at(fleet, survivor, session["id"]) - float(killed["at"])
    assert 0 < takeover_s < 15
    print(
        f"\nkilled {killed['name']}: {survivor} resumed the call's audio after {takeover_s:.1f} s; "
        f"next utterance answered, reply latency {answered.latency_ms:.0f} ms"
    )


def reopened_at(fleet: ServiceFleet, instance: str, session_id: str) -> float:
    """When `instance` opened a recogniser for the call (epoch s), from its JSON log."""
    for line in fleet.processes[instance].log_lines():
        if session_id in line and "stt.opened" in line:
            return datetime.fromisoformat(orjson.loads(line)["ts"]).timestamp()
    raise AssertionError(f"{instance} never took over {session_id}")
