"""Which late caller frames are still worth recognising.

Two kinds of lateness look alike by age and must be told apart:

- a **backlog taken over**: a worker that is not yet recognising a call (it has just been
  given the call's partition) finds audio queued seconds ago. The caller has moved on
  from it, so it is skipped until the first fresh frame;
- a **delayed pipeline**: the broker restarted, or the machine is loaded, and the frames
  of a call the worker is already recognising arrive late. These are the caller's words
  right now, and dropping them loses what was just said; the recogniser catches up on
  them instead (it runs many times faster than real time). Only audio older than the
  catch-up ceiling is given up on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class FrameVerdict(Enum):
    RECOGNISE = "recognise"
    BACKLOG = "backlog"
    """Queued before this worker held the call: the caller has moved on from it."""
    TOO_LATE = "too_late"
    """Older than the catch-up ceiling: not worth answering any more."""


@dataclass(frozen=True)
class FrameAgeLimits:
    takeover_ms: int = 2000
    """A frame of a call this worker does not hold yet, older than this, is backlog."""
    catch_up_ms: int = 15_000
    """A frame of a call this worker holds, older than this, is given up on."""

    def __post_init__(self) -> None:
        if not 0 < self.takeover_ms <= self.catch_up_ms:
            raise ValueError(
                f"frame age limits must satisfy 0 < takeover ({self.takeover_ms} ms) "
                f"<= catch-up ({self.catch_up_ms} ms)"
            )

    def judge(self, age_ms: float, held: bool) -> FrameVerdict:
        if age_ms > self.catch_up_ms:
            return FrameVerdict.TOO_LATE
        if not held and age_ms > self.takeover_ms:
            return FrameVerdict.BACKLOG
        return FrameVerdict.RECOGNISE
