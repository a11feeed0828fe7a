"""One timer per turn: where the time went from the end of caller speech to the first
audio frame at the caller, against the configured budget."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from parley_contracts import PlaybackStarted, TurnCompleted


@dataclass(frozen=True)
class LatencyBudget:
    total_ms: int = 800
    hard_cap_ms: int = 1200
    stt_ms: int = 200
    agent_ms: int = 400
    tts_ms: int = 200

    def stage_limits(self) -> dict[str, int]:
        return {"stt": self.stt_ms, "agent": self.agent_ms, "tts": self.tts_ms}


def _epoch_ms(moment: datetime) -> float:
    return moment.timestamp() * 1000


@dataclass
class TurnTimer:
    """Stage marks in wall-clock epoch ms (stages run in different processes)."""

    turn_id: int
    speech_ended_ms: float | None
    transcript_ms: float = field(default_factory=lambda: time.time() * 1000)
    agent_replied_ms: float | None = None
    filler_spoken: bool = False

    def agent_replied(self) -> None:
        self.agent_replied_ms = time.time() * 1000

    def agent_ms(self) -> float:
        return (self.agent_replied_ms or time.time() * 1000) - self.transcript_ms

    def complete(
        self, session_id: str, playback: PlaybackStarted, budget: LatencyBudget
    ) -> TurnCompleted:
        first_frame = _epoch_ms(playback.first_frame_at)
        synthesized = (
            _epoch_ms(playback.synthesis_started_at) if playback.synthesis_started_at else None
        )
        replied = self.agent_replied_ms or self.transcript_ms
        stages: dict[str, float] = {"agent": replied - self.transcript_ms}
        if self.speech_ended_ms is not None:
            stages["stt"] = self.transcript_ms - self.speech_ended_ms
        if synthesized is not None:
            stages["tts"] = synthesized - replied
            stages["playback"] = first_frame - synthesized
        start = self.speech_ended_ms if self.speech_ended_ms is not None else self.transcript_ms
        total = first_frame - start
        over = [
            name for name, limit in budget.stage_limits().items() if stages.get(name, 0) > limit
        ]
        if total > budget.total_ms:
            over.append("total")
        if total > budget.hard_cap_ms:
            over.append("hard_cap")
        return TurnCompleted(
            session_id=session_id,
            turn_id=self.turn_id,
            total_ms=round(total, 1),
            stages={k: round(max(0.0, v), 1) for k, v in stages.items()},
            over_budget=over,
            filler_spoken=self.filler_spoken,
        )
