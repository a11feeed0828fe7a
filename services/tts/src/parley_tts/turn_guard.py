"""Which reply turns are still worth synthesising.

A turn is dead once the caller interrupted it (`reply.cancelled`) or a newer turn for
the same call has started: its remaining sentences are skipped and synthesis in
progress stops at the next frame. The edge drops late frames by turn id as well, so
this saves work rather than guarding correctness.
"""

from __future__ import annotations

from collections import OrderedDict

CALLS_REMEMBERED = 10_000


class TurnGuard:
    def __init__(self) -> None:
        # session -> (newest turn seen, highest cancelled turn)
        self._calls: OrderedDict[str, tuple[int, int]] = OrderedDict()

    def _get(self, session_id: str) -> tuple[int, int]:
        return self._calls.get(session_id, (-1, -1))

    def _put(self, session_id: str, newest: int, cancelled: int) -> None:
        self._calls[session_id] = (newest, cancelled)
        self._calls.move_to_end(session_id)
        while len(self._calls) > CALLS_REMEMBERED:
            self._calls.popitem(last=False)

    def started(self, session_id: str, turn_id: int) -> None:
        newest, cancelled = self._get(session_id)
        self._put(session_id, max(newest, turn_id), cancelled)

    def cancel(self, session_id: str, turn_id: int) -> None:
        newest, cancelled = self._get(session_id)
        self._put(session_id, newest, max(cancelled, turn_id))

    def is_dead(self, session_id: str, turn_id: int) -> bool:
        newest, cancelled = self._get(session_id)
        return turn_id <= cancelled or turn_id < newest
