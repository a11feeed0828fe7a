"""Scripted calls through the edge, as Twilio would place them, reduced to turn samples."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from parley_devstack.fleet import ServiceFleet
from parley_simulator import CallerTurn, CallerVoice, CallOptions, CallReport, place_call

SCRIPT = [
    "I would like to book an appointment",
    "tomorrow at two",
    "what time do you open on monday",
    "are you open on saturday",
    "I would like to book an appointment on friday",
]


def script_lines(turns: int) -> list[str]:
    """The first `turns` caller lines, cycling through :data:`SCRIPT`."""
    return [SCRIPT[i % len(SCRIPT)] for i in range(turns)]


@dataclass
class TurnSample:
    call: int
    said: str
    heard: str | None
    latency_ms: float | None
    """End of caller speech -> first agent audio at the caller; None when unanswered."""
    stages_ms: dict[str, float] | None
    reply: str | None = None
    """What the agent answered, as the session recorded it."""

    def to_json(self) -> dict[str, Any]:
        latency = None if self.latency_ms is None else round(self.latency_ms, 1)
        return {
            "call": self.call,
            "said": self.said,
            "heard": self.heard,
            "latencyMs": latency,
            "stagesMs": self.stages_ms,
            "reply": self.reply,
        }


class ScriptedCaller:
    """Places calls on one fleet; each line is synthesised once and reused."""

    def __init__(self, fleet: ServiceFleet) -> None:
        self._fleet = fleet
        self._voice = CallerVoice()
        self._frames: dict[str, list[bytes]] = {}

    def _turn(self, line: str) -> CallerTurn:
        if line not in self._frames:
            self._frames[line] = self._voice.say(line)
        return CallerTurn(script=line, frames=self._frames[line])

    async def call(self, lines: list[str]) -> CallReport:
        return await place_call(
            CallOptions(
                turns=[self._turn(line) for line in lines],
                edge_url=self._fleet.processes["edge"].url,
                janitor_url=self._fleet.processes["janitor"].url,
                janitor_api_key=self._fleet.janitor_api_key,
            )
        )

    async def samples(self, number: int, lines: list[str]) -> list[TurnSample]:
        report = await self.call(lines)
        return [
            TurnSample(number, t.script, t.transcript, t.latency_ms, t.stages, t.reply)
            for t in report.turns
        ]
