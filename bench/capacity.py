"""Capacity of one edge process: concurrent real-time Media Streams forwarded to Kafka.

Starts the local Kafka/Redis/PostgreSQL and ONE real edge process, then steps the number
of simulated calls up (25, 50, 100, 150, 200, 250, 300 by default). At each step every
call streams a 20 ms mu-law frame every 20 ms for `--seconds`, phase-spread like real
calls; a separate reader process on ``parley.audio.in`` (a cheap stand-in for stt: it
reads frames but does NOT recognise speech, see bench/common/frame_delay.py) compares
the edge's receive stamp in each frame's headers with the time it read the frame, and
counts lost frames (sequence gaps and frames sent but never read). Each call's first
second is reported apart (`firstSecondDelayMs`): a new call's first frames wait on
one-off work; the pass criterion is on the steady frames after it.

A step passes when p99 inbound frame delay (edge receive -> consume) is under 50 ms and
no frame is lost; stepping stops at a step that loses frames or at the second failing
step in a row, and the result is the largest step that passed. The edge's CPU (% of one
core) and resident memory are sampled with psutil during each step. The load generator
(this process) shares the machine's cores with the edge and Kafka; its own lag behind
the 20 ms schedule is reported so a saturated generator is not mistaken for the edge.

    .venv/bin/python bench/capacity.py --streams 25 50 100 150 200 250 300

Writes bench/results/capacity-<date>.json, .md and .png. Target: >= 200 streams.
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common.frame_delay import FrameDelayWatch
from bench.common.plots import distribution_plot, series_plot
from bench.common.results import ScenarioRun, argument_parser, markdown_table
from bench.common.services import running_stack
from bench.common.stats import summarise
from bench.common.streams import FRAME_S, close_streams, open_streams, speak
from tests.integration.edge.harness import Edge, running_edge

DELAY_LIMIT_MS = 50.0
TARGET_STREAMS = 200
MB = 1024 * 1024
# One late step on a shared machine can be another process's burst; two in a row, or
# any lost frame, is the edge (or the machine) out of capacity.
FAILED_STEPS_TO_STOP = 2
SATURATED_PERCENT = 95.0


def edge_process(edge: Edge) -> psutil.Process:
    return psutil.Process(edge.fleet.processes[f"edge-{edge.slot}"].process.pid)


async def step(
    edge: Edge, bootstrap: str, count: int, seconds: float, idle_rss: float
) -> dict[str, Any]:
    streams = await open_streams(edge, count)
    watch = FrameDelayWatch(bootstrap)
    try:
        watch.wait_ready()
        process = edge_process(edge)
        process.cpu_percent()
        psutil.cpu_percent()
        spoken = await asyncio.gather(
            *(speak(s, seconds, offset_s=random.uniform(0, FRAME_S)) for s in streams)
        )
        edge_cpu, machine_cpu = process.cpu_percent(), psutil.cpu_percent()
        rss = process.memory_info().rss
        read = await asyncio.to_thread(watch.report, [s.session_id for s in streams])
    finally:
        watch.close()
        await close_streams(streams)
    sent = sum(s.sent for s in spoken)
    lost = sent - read["framesRead"] + read["sequenceGaps"]
    delay = read["delayMs"]
    passed = lost == 0 and delay.get("p99", float("inf")) < DELAY_LIMIT_MS
    return {
        "streams": count,
        "framesSent": sent,
        "framesRead": read["framesRead"],
        "framesLost": max(0, lost),
        "sequenceGaps": read["sequenceGaps"],
        "delayMs": delay,
        "delaySampleMs": read["delaySampleMs"],
        "firstSecondDelayMs": read["warmUpDelayMs"],
        "inEdgeDelayMs": read["inEdgeDelayMs"],
        "generatorLateMs": summarise([ms for s in spoken for ms in s.late_ms]),
        "edgeCpuPercent": round(edge_cpu, 1),
        "edgeCpuPercentPerCall": round(edge_cpu / count, 2),
        "machineCpuPercent": round(machine_cpu, 1),
        "edgeRssMb": round(rss / MB, 1),
        "edgeMbPerCall": round((rss - idle_rss) / MB / count, 3),
        "passed": passed,
    }


async def step_up(edge: Edge, bootstrap: str, counts: list[int], seconds: float) -> dict[str, Any]:
    idle_rss = edge_process(edge).memory_info().rss
    steps: list[dict[str, Any]] = []
    for count in counts:
        print(f"  {count} streams for {seconds:.0f} s ...", flush=True)
        result = await step(edge, bootstrap, count, seconds, idle_rss)
        steps.append(result)
        print(
            f"    p99 delay {result['delayMs'].get('p99')} ms, lost {result['framesLost']}, "
            f"edge CPU {result['edgeCpuPercent']}%, passed: {result['passed']}",
            flush=True,
        )
        recent = steps[-FAILED_STEPS_TO_STOP:]
        if result["framesLost"] or (
            len(recent) == FAILED_STEPS_TO_STOP and not any(s["passed"] for s in recent)
        ):
            break
        await asyncio.sleep(2.0)
    samples = {f"{s['streams']} streams": s.pop("delaySampleMs") for s in steps}
    passing = [s for s in steps if s["passed"]]
    best = max(passing, key=lambda s: s["streams"]) if passing else None
    return {
        "edgeIdleRssMb": round(idle_rss / MB, 1),
        "maxStreams": best["streams"] if best else 0,
        "atMax": best,
        "largestStep": steps[-1],
        "steps": steps,
        "delaySamplesMs": samples,
    }


def report_markdown(run: ScenarioRun, summary: dict[str, Any]) -> str:
    rows = [
        [
            s["streams"],
            s["framesSent"],
            s["framesLost"],
            s["delayMs"].get("median"),
            s["delayMs"].get("p99"),
            s.get("inEdgeDelayMs", {}).get("p99"),  # absent from results before it was added
            s["generatorLateMs"].get("p99"),
            s["machineCpuPercent"],
            s["edgeCpuPercent"],
            s["edgeCpuPercentPerCall"],
            s["edgeMbPerCall"],
            "yes" if s["passed"] else "no",
        ]
        for s in summary["steps"]
    ]
    header = [
        "streams",
        "frames sent",
        "lost",
        "delay p50 ms",
        "delay p99 ms",
        "of which in edge p99 ms",
        "generator late p99 ms",
        "machine CPU %",
        "edge CPU %",
        "CPU % / call",
        "MB / call",
        "passed",
    ]
    met = "met" if summary["maxStreams"] >= TARGET_STREAMS else "NOT met"
    largest = summary["largestStep"]
    per_call = largest["edgeCpuPercentPerCall"]
    ceiling = (
        f"At {largest['streams']} streams the edge used {per_call} % of a core per call: one "
        f"core would be busy at about {round(100 / per_call)} streams (an extrapolation, "
        "not a measurement"
        + (
            f"; the machine's CPU was {largest['machineCpuPercent']} % busy, so the edge got "
            "less CPU than it asked for and this understates its cost per call"
            if largest.get("machineCpuPercent", 0) >= SATURATED_PERCENT
            else ""
        )
        + ").\n\n"
        if per_call
        else ""
    )
    return (
        f"# Capacity of one edge process ({run.date})\n\n"
        f"**{summary['maxStreams']} concurrent streams** is the largest step with p99 "
        f"inbound frame delay (edge receive → consume) under {DELAY_LIMIT_MS:.0f} ms and no "
        f"frame lost (target ≥ {TARGET_STREAMS}: {met}). Each step streamed "
        f"{summary['secondsPerStep']:.0f} s of real-time audio per call.\n\n"
        "**Cheap STT mode**: the frames were read from `parley.audio.in` by a lightweight "
        "reader process that does no speech recognition, not by the stt service, so this "
        "measures the edge and Kafka only. CPU % is of one core; MB per call is the "
        f"edge's resident memory above its idle {summary['edgeIdleRssMb']} MB, divided by "
        "the streams. The load generator runs on the same cores; 'generator late' is how "
        "far behind the 20 ms schedule it sent; 'in edge' is edge receive → the frame handed "
        "to the edge's Kafka producer (the record timestamp), the rest of the delay is the "
        "producer, the broker and the read; machine CPU % is all cores together.\n\n"
        f"{markdown_table(header, rows)}\n\n{ceiling}"
        + run.footer(("capacity", ""), ("frame delay per step", "delays"))
    )


def plot(run: ScenarioRun, summary: dict[str, Any]) -> None:
    steps = summary["steps"]
    series_plot(
        run.png(),
        f"One edge process: inbound frame delay by concurrent streams ({run.date})",
        [s["streams"] for s in steps],
        {
            "p50 delay (ms)": [s["delayMs"].get("median", 0) for s in steps],
            "p99 delay (ms)": [s["delayMs"].get("p99", 0) for s in steps],
            "edge CPU (% of a core) / 10": [s["edgeCpuPercent"] / 10 for s in steps],
        },
        xlabel="concurrent streams",
        ylabel="ms",
        threshold=DELAY_LIMIT_MS,
    )
    distribution_plot(
        run.png("delays"),
        f"Inbound frame delay, edge receive → consume, per step ({run.date})",
        summary["delaySamplesMs"],
    )


def main() -> int:
    parser = argument_parser(__doc__)
    parser.add_argument("--streams", type=int, nargs="+", default=[25, 50, 100, 150, 200, 250, 300])
    parser.add_argument("--seconds", type=float, default=10.0, help="streaming time per step")
    args = parser.parse_args()
    run = ScenarioRun("capacity", args.out)
    with (
        tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp,
        running_stack(Path(tmp)) as env,
        running_edge(env, Path(tmp) / "logs", 0, max_concurrent_calls="2000") as edge,
    ):
        bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
        result = asyncio.run(step_up(edge, bootstrap, sorted(args.streams), args.seconds))
    summary = {
        **run.finish(),
        "mode": "cheap-stt: a reader process on parley.audio.in, no recognition",
        "delayLimitMs": DELAY_LIMIT_MS,
        "targetStreams": TARGET_STREAMS,
        "secondsPerStep": args.seconds,
        **result,
    }
    plot(run, summary)
    run.write(summary, report_markdown(run, summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
