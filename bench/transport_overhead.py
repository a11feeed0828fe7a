"""Transport overhead: what edge + Kafka hops + serialisation add to a turn.

Runs the same caller lines two ways in one run:
- in process: the same engines (pocketsphinx, the demo agent over MCP, piper) called
  directly, no Kafka, no edge: end of speech -> final transcript -> agent reply ->
  first synthesised frame;
- distributed: a simulated call through the edge and every worker, on the real local
  Kafka, measured end of caller speech -> first agent audio at the caller.

The difference per turn is the transport overhead; the report gives both
distributions and their ratio.

    .venv/bin/python bench/transport_overhead.py --turns 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from parley_agent.app import build_app
from parley_agent_client import AgentClient, AgentRequest
from parley_audio.framing import silence_frame
from parley_contracts import ALL_TOPICS
from parley_devstack import LocalStack, create_topics
from parley_devstack.fleet import ServiceFleet
from parley_devstack.ports import free_ports
from parley_dialogue.speech_text import SpeechTextCleaner
from parley_simulator import CallerTurn, CallerVoice, CallOptions, place_call
from parley_speech import FinalTranscript, PiperSynthesizer, PocketsphinxRecognizerFactory

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.turn_latency import SCRIPT, summarise
from tests.support.mcp_agents import serving_mcp

SERVICES = ("edge", "stt", "dialogue", "tts", "janitor", "agent")
FRAME_S = 0.02


async def in_process_turns(lines: list[str]) -> list[float]:
    """End of speech -> first synthesised frame with the engines called directly."""
    voice = CallerVoice()
    recognizers = PocketsphinxRecognizerFactory()
    synthesizer = PiperSynthesizer()
    results: list[float] = []
    async with serving_mcp(build_app(token="")) as url, AgentClient(url) as agent:
        for line in lines:
            recognizer = recognizers.create()
            for frame in [silence_frame()] * 25:
                recognizer.feed(frame)
            for frame in voice.say(line):
                recognizer.feed(frame)
            # From here on the caller is silent; frames arrive in real time, so waiting
            # for the endpointer costs wall-clock time just as it does on a call.
            ended = time.perf_counter()
            text = None
            while text is None:
                started = time.perf_counter()
                events = recognizer.feed(silence_frame())
                text = next((e.text for e in events if isinstance(e, FinalTranscript)), None)
                await asyncio.sleep(max(0.0, FRAME_S - (time.perf_counter() - started)))
            recognizer.close()
            reply = await agent.respond(
                AgentRequest(session_id="bench", event="utterance", utterance=text)
            )
            # The first piece the dialogue service would send to synthesis.
            first = next(iter(SpeechTextCleaner().clean(reply.reply).sentences))
            next(iter(synthesizer.synthesize_mulaw8k(first)))
            results.append((time.perf_counter() - ended) * 1000)
    return results


async def distributed_turns(fleet: ServiceFleet, lines: list[str]) -> list[float]:
    voice = CallerVoice()
    latencies: list[float] = []
    for chunk_start in range(0, len(lines), 5):
        chunk = lines[chunk_start : chunk_start + 5]
        report = await place_call(
            CallOptions(
                turns=[CallerTurn(script=line, frames=voice.say(line)) for line in chunk],
                edge_url=fleet.processes["edge"].url,
                janitor_url=fleet.processes["janitor"].url,
            )
        )
        latencies += [t.latency_ms for t in report.turns if t.latency_ms is not None]
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args()
    lines = [SCRIPT[i % len(SCRIPT)] for i in range(args.turns)]
    print(f"in process: {len(lines)} turns ...", flush=True)
    baseline = asyncio.run(in_process_turns(lines))
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as scratch:
        stack = LocalStack(Path(scratch) / "stack")
        stack.start()
        fleet: ServiceFleet | None = None
        try:
            env = stack.env()
            asyncio.run(create_topics(env["KAFKA_BOOTSTRAP_SERVERS"], ALL_TOPICS))
            ports = dict(zip(SERVICES, free_ports(len(SERVICES)), strict=True))
            fleet = ServiceFleet(env, Path(scratch) / "services", ports=ports)
            fleet.start(progress=False)
            print(f"distributed: {len(lines)} turns ...", flush=True)
            distributed = asyncio.run(distributed_turns(fleet, lines))
        finally:
            if fleet is not None:
                fleet.stop()
            stack.stop()
    base, dist = summarise(baseline), summarise(distributed)
    overhead = {q: round(dist[q] - base[q], 1) for q in ("median", "p95", "p99")}
    summary: dict[str, Any] = {
        "benchmark": "transport-overhead",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} CPU cores",
        "inProcessMs": base,
        "distributedMs": dist,
        "overheadMs": overhead,
        "ratioMedian": round(dist["median"] / base["median"], 3),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"transport-overhead-{summary['date']}.json"
    path.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
