"""Agent audio the caller must not hear twice.

When a tts worker dies mid-reply, the worker that takes over its partitions re-reads the
sentences after the last committed offset and synthesises them again. The edge keeps,
per reply segment, the next frame it expects: frames it has already queued are dropped,
so the caller hears each sentence once (at worst spliced between the two workers' takes
at the frame where the first one stopped). Segments are told apart by their text too:
a new reply that reuses a turn id (a dialogue worker took over before the previous one
recorded the turn) is new audio, not a repeat.
"""

from __future__ import annotations

from parley_contracts import OutboundAudioHeaders

_DONE = 1 << 62


class SegmentProgress:
    def __init__(self) -> None:
        self._next_seq: dict[tuple[int, int, str], int] = {}

    def is_new(self, meta: OutboundAudioHeaders) -> bool:
        """Whether this frame is new audio; records it if so."""
        key = (meta.turn_id, meta.segment, meta.text_id)
        if meta.seq < self._next_seq.get(key, 0):
            return False
        self._next_seq[key] = _DONE if meta.last_in_segment else meta.seq + 1
        return True

    def forget_turns_before(self, turn_id: int) -> None:
        """Older turns cannot come back (the pacer drops them); keep the map small."""
        for key in [k for k in self._next_seq if k[0] < turn_id]:
            del self._next_seq[key]
