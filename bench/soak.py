"""Soak: steady calls through the whole system for a long time; memory per service.

Starts the local Kafka/Redis/PostgreSQL and all six services, keeps `--concurrency`
simulated callers placing 5-turn calls back to back for `--minutes`, samples the
resident memory (RSS, children included) of every service process every `--sample-s`
seconds, and reports each service's memory slope in MB/hour (least-squares fit over
the run, and over the run after its first fifth, when caches and pools have filled)
and whether every caller turn was answered.

    .venv/bin/python bench/soak.py --minutes 30

Writes bench/results/soak-<date>.json, .md and .png (memory over time) and
soak-latency-<date>.png (turn latency over the run).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import contextlib

from parley_devstack.fleet import ServiceFleet

from bench.common.calls import ScriptedCaller, TurnSample, script_lines
from bench.common.plots import distribution_plot, series_plot
from bench.common.results import ScenarioRun, argument_parser, markdown_table
from bench.common.services import running_system
from bench.common.stats import slope_per_hour, summarise

TURNS_PER_CALL = 5
WARM_UP_FRACTION = 0.2
MB = 1024 * 1024
log = logging.getLogger("bench.soak")


@dataclass
class SoakLog:
    turns: list[TurnSample] = field(default_factory=list)
    failed_calls: list[str] = field(default_factory=list)
    lost_turns: int = 0
    sample_times_s: list[float] = field(default_factory=list)
    rss_mb: dict[str, list[float]] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def sample(self, fleet: ServiceFleet) -> None:
        self.sample_times_s.append(time.monotonic() - self.started)
        for name, service in fleet.processes.items():
            self.rss_mb.setdefault(name, []).append(round(rss_mb(service.process.pid), 2))


def rss_mb(pid: int) -> float:
    process = psutil.Process(pid)
    total: int = process.memory_info().rss
    for child in process.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += child.memory_info().rss
    return total / MB


async def sample_memory(fleet: ServiceFleet, soak: SoakLog, every_s: float, until: float) -> None:
    while True:
        soak.sample(fleet)
        if time.monotonic() >= until:
            return
        await asyncio.sleep(min(every_s, max(0.0, until - time.monotonic())))


async def keep_calling(caller: ScriptedCaller, soak: SoakLog, first: int, until: float) -> None:
    number = first
    lines = script_lines(TURNS_PER_CALL)
    while time.monotonic() < until:
        try:
            samples = await caller.samples(number, lines)
        except Exception as exc:  # a failed call is a finding, not the end of the soak
            soak.failed_calls.append(f"call {number}: {type(exc).__name__}: {exc}")
            soak.lost_turns += len(lines)
        else:
            soak.turns += samples
            soak.lost_turns += sum(1 for t in samples if t.latency_ms is None)
        number += 1000


async def soak_run(
    fleet: ServiceFleet, minutes: float, concurrency: int, every_s: float
) -> SoakLog:
    soak, caller = SoakLog(), ScriptedCaller(fleet)
    until = time.monotonic() + minutes * 60
    callers = [keep_calling(caller, soak, first, until) for first in range(1, concurrency + 1)]
    await asyncio.gather(sample_memory(fleet, soak, every_s, until), *callers)
    soak.sample(fleet)  # the last calls finish after `until`: one more sample covers them
    return soak


def memory_slopes(soak: SoakLog) -> dict[str, dict[str, float | None]]:
    times = soak.sample_times_s
    settled = times[-1] * WARM_UP_FRACTION if times else 0.0
    slopes: dict[str, dict[str, float | None]] = {}
    for name, values in soak.rss_mb.items():
        pairs = list(zip(times, values, strict=False))
        late = [(t, v) for t, v in pairs if t >= settled]
        after = slope_per_hour([t for t, _ in late], [v for _, v in late])
        slopes[name] = {
            "startMb": values[0],
            "endMb": values[-1],
            "slopeMbPerHour": _round(slope_per_hour([t for t, _ in pairs], values)),
            "slopeAfterWarmUpMbPerHour": _round(after),
        }
    return slopes


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def report_markdown(run: ScenarioRun, summary: dict[str, Any]) -> str:
    rows = [
        [name, s["startMb"], s["endMb"], s["slopeMbPerHour"], s["slopeAfterWarmUpMbPerHour"]]
        for name, s in summary["memory"].items()
    ]
    header = ["service", "RSS start MB", "RSS end MB", "slope MB/h", "slope after warm-up MB/h"]
    lost = summary["lostTurns"]
    verdict = "every caller turn was answered" if lost == 0 else f"**{lost} turns lost**"
    failures = "".join(f"\n- {f}" for f in summary["failedCalls"][:10])
    latency = summary["turnLatencyMs"]
    return (
        f"# Soak ({run.date})\n\n"
        f"{summary['minutes']} minutes, {summary['concurrency']} callers placing "
        f"{TURNS_PER_CALL}-turn calls back to back: {summary['calls']} calls, "
        f"{summary['turns']} turns answered; {verdict}.{failures}\n\n"
        f"Turn latency over the soak: median {latency.get('median')} ms, p95 "
        f"{latency.get('p95')} ms, p99 {latency.get('p99')} ms.\n\n"
        f"Resident memory per service process (children included), sampled every "
        f"{summary['sampleEveryS']:.0f} s ({summary['samples']} samples); slopes are "
        "least-squares fits, the second leaving out the first fifth of the run. A short "
        "run's slopes mostly show warm-up, not leaks.\n\n"
        f"{markdown_table(header, rows)}\n\n"
        + run.footer(("memory", ""), ("turn latency", "latency"))
    )


def main() -> int:
    parser = argument_parser(__doc__)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=2, help="calls in progress at once")
    parser.add_argument("--sample-s", type=float, default=10.0, help="seconds between samples")
    args = parser.parse_args()
    run = ScenarioRun("soak", args.out)
    with running_system() as fleet:
        print(f"soaking for {args.minutes} min with {args.concurrency} callers ...", flush=True)
        soak = asyncio.run(soak_run(fleet, args.minutes, args.concurrency, args.sample_s))
    latencies = [t.latency_ms for t in soak.turns if t.latency_ms is not None]
    summary: dict[str, Any] = {
        **run.finish(),
        "minutes": args.minutes,
        "concurrency": args.concurrency,
        "calls": len({t.call for t in soak.turns}) + len(soak.failed_calls),
        "turns": len(latencies),
        "lostTurns": soak.lost_turns,
        "failedCalls": soak.failed_calls,
        "turnLatencyMs": summarise(latencies),
        "sampleEveryS": args.sample_s,
        "samples": len(soak.sample_times_s),
        "memory": memory_slopes(soak),
        "memorySamples": {"timesS": [round(t, 1) for t in soak.sample_times_s], **soak.rss_mb},
    }
    series_plot(
        run.png(),
        f"Resident memory per service during a {args.minutes:g}-minute soak ({run.date})",
        [t / 60 for t in soak.sample_times_s],
        soak.rss_mb,
        xlabel="minutes",
        ylabel="RSS (MB)",
    )
    distribution_plot(
        run.png("latency"),
        f"Turn latency during the soak ({run.date})",
        {"end of speech → first audio": latencies},
    )
    run.write(summary, report_markdown(run, summary))
    return 0 if soak.lost_turns == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
