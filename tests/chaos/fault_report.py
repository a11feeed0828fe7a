"""What a chaos test saw: what the caller heard, what was lost, how long recovery took.

Always printed (``pytest -s`` shows it). When ``PARLEY_CHAOS_REPORT`` names a file, the
report is also appended to it as one JSON line; ``bench/chaos_report.py`` sets it and
renders the lines as a table. Tests never write into the repository on their own.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from parley_simulator import CallReport

REPORT_ENV = "PARLEY_CHAOS_REPORT"


@dataclass
class FaultReport:
    fault: str
    heard: list[str]
    """The agent's reply to each caller turn, in order ("-" for no reply)."""
    lost: str
    recovery_s: float | None
    """From the fault being repaired (or injected, for a worker kill) to the caller
    hearing the first audio of a normal answer."""
    notes: dict[str, float | str] = field(default_factory=dict)

    @classmethod
    def of_call(
        cls,
        fault: str,
        call: CallReport,
        lost: str,
        recovery_s: float | None,
        **notes: float | str,
    ) -> FaultReport:
        heard = [turn.reply or "-" for turn in call.turns]
        return cls(fault, heard, lost, recovery_s, dict(notes))

    def publish(self) -> None:
        recovery = "n/a" if self.recovery_s is None else f"{self.recovery_s:.2f} s"
        lines = [f"\n[chaos] {self.fault}: recovery {recovery}; lost: {self.lost}"]
        lines += [f"  turn {n}: {reply}" for n, reply in enumerate(self.heard, start=1)]
        lines += [f"  {key} = {value}" for key, value in self.notes.items()]
        print("\n".join(lines))
        target = os.environ.get(REPORT_ENV)
        if target:
            with Path(target).open("a", encoding="utf-8") as out:
                out.write(json.dumps(asdict(self)) + "\n")
