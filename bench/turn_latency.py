"""Turn latency with the local engines: end of caller speech -> first agent audio.

Starts a private Kafka, Redis and PostgreSQL plus all six services (each its own
process), places simulated calls through the edge exactly as Twilio would, and reports
the distribution over every turn together with Parley's own per-stage breakdown.

    .venv/bin/python bench/turn_latency.py --calls 5 --turns 5

Writes bench/results/turn-latency-<date>.json and .md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from parley_contracts import ALL_TOPICS
from parley_devstack import LocalStack, create_topics
from parley_devstack.fleet import ServiceFleet
from parley_devstack.ports import free_ports
from parley_simulator import CallerTurn, CallerVoice, CallOptions, place_call

SCRIPT = [
    "I would like to book an appointment",
    "tomorrow at two",
    "what time do you open on monday",
    "are you open on saturday",
    "I would like to book an appointment on friday",
]
SERVICES = ("edge", "stt", "dialogue", "tts", "janitor", "agent")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summarise(values: list[float]) -> dict[str, float]:
    return {
        "count": len(values),
        "median": round(statistics.median(values), 1),
        "p95": round(percentile(values, 95), 1),
        "p99": round(percentile(values, 99), 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
    }


async def run_calls(fleet: ServiceFleet, calls: int, turns: int) -> list[dict[str, Any]]:
    voice = CallerVoice()
    lines = [SCRIPT[i % len(SCRIPT)] for i in range(turns)]
    frames = {line: voice.say(line) for line in set(lines)}
    results: list[dict[str, Any]] = []
    for number in range(1, calls + 1):
        report = await place_call(
            CallOptions(
                turns=[CallerTurn(script=line, frames=frames[line]) for line in lines],
                edge_url=fleet.processes["edge"].url,
                janitor_url=fleet.processes["janitor"].url,
            )
        )
        for turn in report.turns:
            results.append(
                {
                    "call": number,
                    "said": turn.script,
                    "heard": turn.transcript,
                    "latencyMs": turn.latency_ms,
                    "stagesMs": turn.stages,
                }
            )
        done = [t.latency_ms for t in report.turns if t.latency_ms is not None]
        print(
            f"  call {number}/{calls}: {len(done)} turns, median {statistics.median(done):.0f} ms"
            if done
            else "  no replies",
            flush=True,
        )
    return results


def report_markdown(summary: dict[str, Any]) -> str:
    total = summary["endOfSpeechToFirstAudioMs"]
    rows = [
        "| measure | median | p95 | p99 | max |",
        "|---|---|---|---|---|",
        f"| end of speech -> first audio (caller) | {total['median']} | {total['p95']} | "
        f"{total['p99']} | {total['max']} |",
    ]
    for stage, stats in summary["stagesMs"].items():
        rows.append(
            f"| stage `{stage}` | {stats['median']} | {stats['p95']} | {stats['p99']} | "
            f"{stats['max']} |"
        )
    return (
        f"# Turn latency, local engines ({summary['date']})\n\n"
        f"{summary['turns']} turns over {summary['calls']} calls on {summary['machine']}. "
        "Milliseconds. The total is measured at the simulated caller; stages are Parley's "
        "own marks (stt: end of speech -> final transcript at dialogue; agent: MCP call; "
        "tts: reply published -> first synthesised frame; playback: -> first frame sent "
        "to the caller).\n\n" + "\n".join(rows) + "\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--turns", type=int, default=5, help="caller turns per call")
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as scratch:
        stack = LocalStack(Path(scratch) / "stack")
        print("starting Kafka, Redis and PostgreSQL ...", flush=True)
        stack.start()
        fleet: ServiceFleet | None = None
        try:
            env = stack.env()
            asyncio.run(create_topics(env["KAFKA_BOOTSTRAP_SERVERS"], ALL_TOPICS))
            ports = dict(zip(SERVICES, free_ports(len(SERVICES)), strict=True))
            fleet = ServiceFleet(env, Path(scratch) / "services", ports=ports)
            print("starting the six services ...", flush=True)
            fleet.start(progress=False)
            print(f"placing {args.calls} calls of {args.turns} turns ...", flush=True)
            turns = asyncio.run(run_calls(fleet, args.calls, args.turns))
        finally:
            if fleet is not None:
                fleet.stop()
            stack.stop()
    latencies = [t["latencyMs"] for t in turns if t["latencyMs"] is not None]
    stage_values: dict[str, list[float]] = {}
    for turn in turns:
        for stage, ms in (turn["stagesMs"] or {}).items():
            stage_values.setdefault(stage, []).append(ms)
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    summary = {
        "benchmark": "turn-latency",
        "date": date,
        "machine": f"{__import__('os').cpu_count()} CPU cores",
        "calls": args.calls,
        "turns": len(turns),
        "unanswered": len(turns) - len(latencies),
        "endOfSpeechToFirstAudioMs": summarise(latencies),
        "stagesMs": {s: summarise(v) for s, v in stage_values.items()},
        "durationS": round(time.monotonic() - started, 1),
        "samples": turns,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"turn-latency-{date}.json").write_text(json.dumps(summary, indent=2) + "\n")
    markdown = report_markdown(summary)
    (args.out / f"turn-latency-{date}.md").write_text(markdown)
    print(markdown)
    return 0 if latencies else 1


if __name__ == "__main__":
    sys.exit(main())
