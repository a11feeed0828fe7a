"""The suite's report for one day: bench/results/<date>.json and <date>.md.

Collects what each scenario wrote that day (turn latency, the LLM agent's turn latency
blocking vs streaming, transport overhead, capacity, local speech engines, and the soak
when one ran), puts the headline numbers against their targets in one table, and
follows it with each scenario's own report; the plots the scenario reports link to sit
in the same folder.

    .venv/bin/python bench/summary.py [--date 2026-11-25]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common.results import argument_parser, markdown_table, today

SCENARIOS = (
    "turn-latency",
    "llm-turn-latency",
    "transport-overhead",
    "capacity",
    "speech-latency",
    "soak",
)
BULKY = ("samples", "inProcessSamples", "distributedSamples", "memorySamples", "delaySamplesMs")


def load(out: Path, date: str) -> dict[str, dict[str, Any]]:
    found = {}
    for name in SCENARIOS:
        path = out / f"{name}-{date}.json"
        if path.exists():
            data = json.loads(path.read_text())
            found[name] = {k: v for k, v in data.items() if k not in BULKY}
    return found


def yes_no(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**not met**")


def headline_rows(results: dict[str, dict[str, Any]]) -> list[list[object]]:
    rows: list[list[object]] = []
    if turn := results.get("turn-latency"):
        total, met = turn["endOfSpeechToFirstAudioMs"], turn["targetsMet"]
        rows += [
            [
                f"turn latency median ({total['count']} turns)",
                f"{total['median']} ms",
                "≤ 500 ms",
                yes_no(met["median"]),
            ],
            [
                "turn latency p95 / p99",
                f"{total['p95']} / {total['p99']} ms",
                "p95 ≤ 800 ms",
                yes_no(met["p95"]),
            ],
        ]
        stages = ", ".join(f"{s} {v['median']}" for s, v in turn["stagesMs"].items())
        rows.append(["stage medians", f"{stages} ms", "", ""])
    if llm := results.get("llm-turn-latency"):
        rows += llm_rows(llm)
    if transport := results.get("transport-overhead"):
        over, met = transport["overheadMs"], transport["targetsMet"]
        rows += [
            [
                "transport overhead p50",
                f"{over.get('median')} ms",
                "≤ 15 ms",
                yes_no(met.get("median")),
            ],
            ["transport overhead p99", f"{over.get('p99')} ms", "≤ 40 ms", yes_no(met.get("p99"))],
            [
                "in process vs distributed, median",
                f"{transport['inProcessMs'].get('median')} vs "
                f"{transport['distributedMs'].get('median')} ms",
                "",
                "",
            ],
        ]
    if capacity := results.get("capacity"):
        best = capacity.get("atMax") or capacity.get("largestStep") or {}
        rows += [
            [
                "concurrent streams, one edge (cheap-stt reader)",
                capacity["maxStreams"],
                f"≥ {capacity['targetStreams']}",
                yes_no(capacity["maxStreams"] >= capacity["targetStreams"]),
            ],
            [
                f"edge CPU / memory per call at {best.get('streams')} streams",
                f"{best.get('edgeCpuPercentPerCall')} % of a core / {best.get('edgeMbPerCall')} MB",
                "",
                "",
            ],
        ]
    if speech := results.get("speech-latency"):
        rows += [
            [
                "piper first byte, median (engine alone)",
                f"{speech['tts_first_byte_ms'].get('median')} ms",
                "",
                "",
            ],
            [
                "pocketsphinx final transcript, median (engine alone)",
                f"{speech['stt']['final_latency_ms'].get('median')} ms",
                "",
                "",
            ],
        ]
    if soak := results.get("soak"):
        slopes = {n: s["slopeAfterWarmUpMbPerHour"] for n, s in soak["memory"].items()}
        worst = max(slopes, key=lambda n: slopes[n] or 0.0)
        rows += [
            [
                f"soak {soak['minutes']:g} min: lost turns",
                soak["lostTurns"],
                "0",
                yes_no(soak["lostTurns"] == 0),
            ],
            ["soak: steepest memory slope after warm-up", f"{worst} {slopes[worst]} MB/h", "", ""],
        ]
    return rows


def llm_rows(llm: dict[str, Any]) -> list[list[object]]:
    modes, targets = llm["modes"], llm["targets"]
    medians = " / ".join(f"{m['endOfSpeechToFirstAudioMs'].get('median')}" for m in modes.values())
    return [
        [f"LLM agent median, {' / '.join(modes)}", f"{medians} ms", "", ""],
        [
            "LLM agent streaming median",
            f"{modes['streaming']['endOfSpeechToFirstAudioMs'].get('median')} ms",
            f"≤ {targets['streamingLimitMs']} ms (first token + 250 beyond endpointing)",
            yes_no(targets["streamingMet"]),
        ],
        [
            "LLM agent preemptive gain over streaming, median",
            f"{targets['preemptiveGainMs']} ms",
            "≥ 200 ms",
            yes_no(targets["preemptiveMet"]),
        ],
    ]


def report_markdown(date: str, results: dict[str, dict[str, Any]], out: Path) -> str:
    table = markdown_table(["measure", "value", "target", ""], headline_rows(results))
    sections = [
        (out / f"{name}-{date}.md").read_text().replace("\n# ", "\n## ").replace("# ", "## ", 1)
        for name in results
        if (out / f"{name}-{date}.md").exists()
    ]
    return f"# Benchmarks ({date})\n\n{table}\n\n" + "\n".join(sections)


def main() -> int:
    parser = argument_parser(__doc__)
    parser.add_argument("--date", default=today())
    args = parser.parse_args()
    results = load(args.out, args.date)
    if not results:
        print(f"no results for {args.date} in {args.out}", file=sys.stderr)
        return 1
    (args.out / f"{args.date}.json").write_text(
        json.dumps({"date": args.date, "scenarios": results}, indent=2) + "\n"
    )
    markdown = report_markdown(args.date, results, args.out)
    (args.out / f"{args.date}.md").write_text(markdown)
    print(markdown.split("\n## ")[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
