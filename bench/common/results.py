"""Result files: ``bench/results/<scenario>-<date>.json``, ``.md`` and ``.png`` plots."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common.machine import MachineLoad

RESULTS_DIR = Path(__file__).resolve().parent.parent / "results"
DISTRIBUTION_HEADER = ["measure (ms)", "n", "median", "p95", "p99"]


def argument_parser(doc: str | None) -> argparse.ArgumentParser:
    """A scenario's command line: described by its docstring's first line, with --out."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="results folder")
    return parser


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


@dataclass
class ScenarioRun:
    """One scenario's run: where its files go and the machine load around it.

    Created before measuring (it records the load average then); :meth:`finish` records
    it again and :meth:`write` writes the JSON and Markdown.
    """

    name: str
    out: Path = RESULTS_DIR
    date: str = field(default_factory=today)
    load: MachineLoad = field(default_factory=MachineLoad)

    def path(self, suffix: str, variant: str = "") -> Path:
        stem = f"{self.name}-{variant}" if variant else self.name
        return self.out / f"{stem}-{self.date}{suffix}"

    def png(self, variant: str = "") -> Path:
        return self.path(".png", variant)

    def image(self, alt: str, variant: str = "") -> str:
        """A Markdown image of one of this run's plots, relative to the results folder."""
        return f"![{alt}]({self.png(variant).name})"

    def footer(self, *plots: tuple[str, str]) -> str:
        """The end of every report: the machine's load, then the plots (alt, variant)."""
        images = "\n\n".join(self.image(alt, variant) for alt, variant in plots)
        return f"{self.load.sentence()}\n\n{images}\n"

    def finish(self) -> dict[str, Any]:
        """Stop the load measurement; the fields every summary starts with."""
        self.load.finish()
        return {
            "benchmark": self.name,
            "date": self.date,
            "machineLoad": {**self.load.to_json(), "sentence": self.load.sentence()},
        }

    def write(self, summary: dict[str, Any], markdown: str) -> Path:
        self.out.mkdir(parents=True, exist_ok=True)
        path = self.path(".json")
        path.write_text(json.dumps(summary, indent=2) + "\n")
        self.path(".md").write_text(markdown)
        print(markdown, flush=True)
        return path


def markdown_table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("—" if v is None else str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def distribution_row(name: str, stats: dict[str, float]) -> list[object]:
    """A table row of :func:`bench.common.stats.summarise` output."""
    return [name, stats.get("count"), stats.get("median"), stats.get("p95"), stats.get("p99")]


def distribution_table(rows: dict[str, dict[str, float]]) -> str:
    """A Markdown table of named distributions (count, median, p95, p99)."""
    return markdown_table(DISTRIBUTION_HEADER, [distribution_row(n, s) for n, s in rows.items()])


def targets_verdict(targets_ms: dict[str, float], met: dict[str, bool]) -> str:
    return ", ".join(
        f"{q} ≤ {limit:.0f} ms: {'met' if met.get(q) else 'NOT met'}"
        for q, limit in targets_ms.items()
    )
