"""How many calls this edge instance takes: answered-but-not-yet-streaming calls count too,
so a burst of webhooks cannot overshoot the limit and leave half-open calls."""

from __future__ import annotations

import time


class CallAdmission:
    def __init__(self, max_calls: int, pending_ttl_s: float) -> None:
        self._max_calls = max_calls
        self._pending_ttl_s = pending_ttl_s
        self._pending: dict[str, float] = {}
        self._active: set[str] = set()
        # Sessions whose stream already ran here, kept as long as their token could still
        # be valid, so a replayed ``start`` cannot open the same call a second time.
        self._spent: dict[str, float] = {}

    def reserve(self, session_id: str) -> bool:
        """Hold a place for a call the voice webhook is about to connect; False when full."""
        self._expire()
        if len(self._pending) + len(self._active) >= self._max_calls:
            return False
        self._pending[session_id] = time.monotonic() + self._pending_ttl_s
        return True

    def activate(self, session_id: str) -> bool:
        """The call's media stream started: it holds its place until :meth:`release`.

        False, and nothing changes, when this session is already streaming or has streamed
        here: a second ``start`` for it is a replay.
        """
        self._expire()
        if session_id in self._active or session_id in self._spent:
            return False
        self._pending.pop(session_id, None)
        self._active.add(session_id)
        return True

    def release(self, session_id: str) -> None:
        self._pending.pop(session_id, None)
        if session_id in self._active:
            self._active.discard(session_id)
            self._spent[session_id] = time.monotonic() + self._pending_ttl_s

    def __len__(self) -> int:
        self._expire()
        return len(self._pending) + len(self._active)

    def _expire(self) -> None:
        now = time.monotonic()
        for table in (self._pending, self._spent):
            for session_id in [s for s, deadline in table.items() if deadline < now]:
                del table[session_id]
