"""What the machine was doing while a benchmark ran, written next to its numbers."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


@dataclass
class MachineLoad:
    """Cores and the 1/5/15-minute load averages before and after a measurement."""

    cpus: int = field(default_factory=lambda: os.cpu_count() or 1)
    before: list[float] = field(default_factory=load_average)
    after: list[float] | None = None

    def finish(self) -> None:
        self.after = load_average()

    def to_json(self) -> dict[str, object]:
        return {"cpus": self.cpus, "loadBefore": self.before, "loadAfter": self.after}

    def sentence(self) -> str:
        after = self.after or load_average()
        return (
            f"Machine: {self.cpus} CPU cores; load average (1/5/15 min) "
            f"{'/'.join(map(str, self.before))} before, {'/'.join(map(str, after))} after "
            "(other work on the machine shares the cores, so a high load before means "
            "noisier numbers)."
        )
