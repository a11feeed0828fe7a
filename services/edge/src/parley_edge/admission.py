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

    def reserve(self, session_id: str) -> bool:
        """Hold a place for a call the voice webhook is about to connect; False when full."""
        self._expire_pending()
        if len(self._pending) + len(self._active) >= self._max_calls:
            return False
        self._pending[session_id] = time.monotonic() + self._pending_ttl_s
        return True

    def activate(self, session_id: str) -> None:
        """The call's media stream started: it holds its place until :meth:`release`."""
        self._pending.pop(session_id, None)
        self._active.add(session_id)

    def release(self, session_id: str) -> None:
        self._pending.pop(session_id, None)
        self._active.discard(session_id)

    def __len__(self) -> int:
        self._expire_pending()
        return len(self._pending) + len(self._active)

    def _expire_pending(self) -> None:
        now = time.monotonic()
        for session_id in [s for s, deadline in self._pending.items() if deadline < now]:
            del self._pending[session_id]
