"""Chaos report: runs tests/chaos and writes what each fault cost the caller.

Each chaos test appends one JSON line (what the caller heard, what was lost, recovery
time) to the file named by PARLEY_CHAOS_REPORT; this script points that at a temporary
file, runs pytest, and renders bench/results/chaos-<date>.md (and .json). The exit
status is pytest's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common.results import ScenarioRun, argument_parser, markdown_table

REPO = Path(__file__).resolve().parent.parent
REPORT_ENV = "PARLEY_CHAOS_REPORT"  # tests/chaos/fault_report.py reads it
HEADER = ["fault", "recovery (s)", "lost", "what the caller heard, turn by turn"]


def run_chaos_tests(report_file: Path, pytest_args: list[str]) -> int:
    env = {**os.environ, REPORT_ENV: str(report_file)}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/chaos"]
    return subprocess.run([*command, *pytest_args], cwd=REPO, env=env, check=False).returncode


def read_reports(report_file: Path) -> list[dict[str, Any]]:
    if not report_file.exists():
        return []
    lines = report_file.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def table_row(report: dict[str, Any]) -> list[object]:
    recovery = report["recovery_s"]
    heard = " / ".join(f"{n}. {reply}" for n, reply in enumerate(report["heard"], start=1))
    return [
        report["fault"],
        None if recovery is None else f"{recovery:.2f}",
        report["lost"],
        heard.replace("|", "\\|"),
    ]


def notes_section(reports: list[dict[str, Any]]) -> str:
    lines = ["## Measurements per fault", ""]
    for report in reports:
        notes = ", ".join(f"{key} = {value}" for key, value in report["notes"].items())
        lines.append(f"- **{report['fault']}**: {notes}")
    return "\n".join(lines)


def render(run: ScenarioRun, reports: list[dict[str, Any]], status: int) -> str:
    verdict = "all passed" if status == 0 else f"pytest exited with {status}: see its output"
    return "\n\n".join(
        [
            f"# Chaos tests, {run.date}",
            f"Faults injected into a running system mid-call ({len(reports)} reported; "
            f"{verdict}). Recovery is from the fault being repaired to the caller hearing "
            "a normal answer, unless the notes say otherwise.",
            markdown_table(HEADER, [table_row(r) for r in reports]),
            notes_section(reports),
            run.footer(),
        ]
    )


def main() -> int:
    parser = argument_parser(__doc__)
    parser.add_argument("pytest_args", nargs="*", help="passed on to pytest (e.g. -k redis)")
    args = parser.parse_args()
    run = ScenarioRun("chaos", out=args.out)
    with tempfile.TemporaryDirectory() as scratch:
        report_file = Path(scratch) / "chaos.jsonl"
        status = run_chaos_tests(report_file, args.pytest_args)
        reports = read_reports(report_file)
    summary = {**run.finish(), "pytestExitStatus": status, "faults": reports}
    run.write(summary, render(run, reports, status))
    return status


if __name__ == "__main__":
    sys.exit(main())
