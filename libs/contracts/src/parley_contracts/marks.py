"""Names of the Twilio playback marks the edge places after each reply sentence.

Twilio echoes a mark once the audio before it has played, so a mark's name must say
which turn and sentence it closes: ``t<turn>.s<segment>`` plus ``.last`` on the final
sentence of a reply and ``.hangup`` when the call ends after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# ASCII digits, bounded: a mark name comes back from the caller's side of the socket.
_PATTERN = re.compile(r"^t([0-9]{1,9})\.s([0-9]{1,9})((?:\.last)?)((?:\.hangup)?)$")


@dataclass(frozen=True, slots=True)
class SegmentMark:
    turn_id: int
    segment: int
    last_segment: bool = False
    hangup_after: bool = False

    def name(self) -> str:
        suffix = (".last" if self.last_segment else "") + (".hangup" if self.hangup_after else "")
        return f"t{self.turn_id}.s{self.segment}{suffix}"

    @classmethod
    def parse(cls, name: str) -> SegmentMark | None:
        """None when the name is not one of ours."""
        match = _PATTERN.match(name)
        if match is None:
            return None
        return cls(int(match[1]), int(match[2]), bool(match[3]), bool(match[4]))
