"""Turn latency with the local engines: end of caller speech -> first agent audio.

Starts a private Kafka, Redis and PostgreSQL plus all six services (each its own
process), places simulated calls through the edge exactly as Twilio would, one after
another, and reports the distribution over every turn together with Parley's own
per-stage breakdown, against the targets (median <= 500 ms, p95 <= 800 ms).

    .venv/bin/python bench/turn_latency.py --calls 10 --turns 5

Writes bench/results/turn-latency-<date>.json, .md and .png.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from parley_devstack.fleet import ServiceFleet

from bench.common.calls import ScriptedCaller, TurnSample, script_lines
from bench.common.plots import distribution_plot
from bench.common.results import ScenarioRun, argument_parser, distribution_table, targets_verdict
from bench.common.services import running_system
from bench.common.stats import summarise

TARGETS_MS = {"median": 500.0, "p95": 800.0}
TOTAL = "end of speech → first audio (caller)"


async def run_calls(fleet: ServiceFleet, calls: int, turns: int) -> list[TurnSample]:
    caller = ScriptedCaller(fleet)
    samples: list[TurnSample] = []
    for number in range(1, calls + 1):
        call = await caller.samples(number, script_lines(turns))
        samples += call
        done = summarise([t.latency_ms for t in call if t.latency_ms is not None])
        print(f"  call {number}/{calls}: {done['count']} turns, median {done.get('median')} ms")
    return samples


def stage_series(samples: list[TurnSample]) -> dict[str, list[float]]:
    """Milliseconds per Parley stage over every turn that reported it."""
    stages: dict[str, list[float]] = {}
    for turn in samples:
        for stage, ms in (turn.stages_ms or {}).items():
            stages.setdefault(stage, []).append(ms)
    return stages


def report_markdown(run: ScenarioRun, summary: dict[str, Any]) -> str:
    total = summary["endOfSpeechToFirstAudioMs"]
    stages = {f"stage `{s}`": v for s, v in summary["stagesMs"].items()}
    return (
        f"# Turn latency, local engines ({run.date})\n\n"
        f"{summary['turns']} turns over {summary['calls']} calls "
        f"({summary['unanswered']} unanswered). The total is measured at the simulated "
        "caller; stages are Parley's own marks (stt: end of speech → final transcript at "
        "dialogue; agent: MCP call; tts: reply published → first synthesised frame; "
        "playback: → first frame sent to the caller).\n\n"
        f"{distribution_table({TOTAL: total, **stages})}\n\n"
        f"Targets: {targets_verdict(TARGETS_MS, summary['targetsMet'])}.\n\n"
        + run.footer(("turn latency", ""))
    )


def main() -> int:
    parser = argument_parser(__doc__)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--turns", type=int, default=5, help="caller turns per call")
    args = parser.parse_args()
    started, run = time.monotonic(), ScenarioRun("turn-latency", args.out)
    with running_system() as fleet:
        print(f"placing {args.calls} calls of {args.turns} turns ...", flush=True)
        samples = asyncio.run(run_calls(fleet, args.calls, args.turns))
    latencies = [t.latency_ms for t in samples if t.latency_ms is not None]
    stages = stage_series(samples)
    total = summarise(latencies)
    summary = {
        **run.finish(),
        "calls": args.calls,
        "turns": len(samples),
        "unanswered": len(samples) - len(latencies),
        "endOfSpeechToFirstAudioMs": total,
        "stagesMs": {stage: summarise(values) for stage, values in stages.items()},
        "targetsMs": TARGETS_MS,
        "targetsMet": {q: total.get(q, float("inf")) <= ms for q, ms in TARGETS_MS.items()},
        "durationS": round(time.monotonic() - started, 1),
        "samples": [t.to_json() for t in samples],
    }
    title = f"Turn latency, {len(samples)} turns, local engines ({run.date})"
    distribution_plot(run.png(), title, {TOTAL: latencies, **stages})
    run.write(summary, report_markdown(run, summary))
    return 0 if total["count"] else 1


if __name__ == "__main__":
    sys.exit(main())
