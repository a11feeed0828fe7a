"""What a simulated call came to: per turn what was said, heard and answered, how the
call ended, and, for a call the edge cut short, where it was cut and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class TurnReport:
    script: str
    transcript: str | None = None
    reply: str | None = None
    latency_ms: float | None = None
    reply_audio: bytes = b""
    reply_heard_at: float | None = None
    """When the reply's first audio reached the caller (epoch seconds)."""
    cut_off_by_caller: bool = False
    recorded_as_interrupted: bool | None = None
    stages: dict[str, float] | None = None
    """Where the turn's time went, as Parley measured it (ms per stage)."""


@dataclass(frozen=True)
class CallCut:
    """The edge closed the media stream, or could no longer be reached, before the
    caller was done and without the agent having said goodbye."""

    during: str
    """Where the call was, e.g. "turn 2, waiting for the reply"."""
    reason: str
    """What the caller's side saw, e.g. the close code and reason the edge sent."""
    after_s: float
    """Seconds from the voice webhook's answer to the cut."""

    def describe(self) -> str:
        return f"during {self.during}, {self.after_s:.1f} s into the call: {self.reason}"


@dataclass
class CallReport:
    session_id: str
    call_sid: str
    greeting_audio: bytes = b""
    turns: list[TurnReport] = field(default_factory=list)
    """Every turn the caller began, the one a cut interrupted included."""
    heard: bytes = b""
    ended_by: str = "caller"
    """"caller", "agent" (it said goodbye and the edge hung up) or "edge" (a cut)."""
    cut: CallCut | None = None
    status_callback_error: str | None = None
    """Why the call's final status could not be posted to the edge, if it could not."""
    session: dict[str, Any] | None = None
    clears_received: int = 0
    stale_frames_after_clear: int = 0
    """Agent frames that arrived after a `clear` while the caller was still talking:
    audio of an interrupted reply that should have been dropped."""

    def to_json(self) -> dict[str, Any]:
        cut = self.cut
        return {
            "sessionId": self.session_id,
            "callSid": self.call_sid,
            "endedBy": self.ended_by,
            "cut": None
            if cut is None
            else {"during": cut.during, "reason": cut.reason, "afterS": round(cut.after_s, 1)},
            "statusCallbackError": self.status_callback_error,
            "greetingAudioMs": len(self.greeting_audio) // 8,
            "turns": [
                {
                    "said": t.script,
                    "transcript": t.transcript,
                    "reply": t.reply,
                    "latencyMs": None if t.latency_ms is None else round(t.latency_ms, 1),
                    "replyAudioMs": len(t.reply_audio) // 8,
                    "cutOffByCaller": t.cut_off_by_caller,
                    "stagesMs": t.stages,
                }
                for t in self.turns
            ],
            "clearsReceived": self.clears_received,
            "staleFramesAfterClear": self.stale_frames_after_clear,
        }
