"""The call index's rules in one process, for in-process edge tests that start no Redis.

``tests/integration/sessions/test_call_index.py`` runs the same cases against this and the
real index on Redis, so the two cannot drift apart.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from parley_sessions import CallIndex, CallState, IndexedCall


@dataclass
class _Entry:
    session_id: str
    state: CallState
    pending_until: float

    def read(self) -> IndexedCall:
        lapsed = self.state == "pending" and time.monotonic() > self.pending_until
        return IndexedCall(self.session_id, "ended" if lapsed else self.state)


class MemoryCallIndex(CallIndex):
    def __init__(self, pending_timeout_s: float = 60.0, answered: dict[str, str] | None = None):
        """``answered``: Call SID → session id of calls already pending."""
        # No Redis client: every method of the real index is replaced here.
        self._timeout_s = pending_timeout_s
        self._entries: dict[str, _Entry] = {}
        for call_sid, session_id in (answered or {}).items():
            self._add(call_sid, session_id)

    async def claim(self, call_sid: str, session_id: str) -> IndexedCall:
        entry = self._entries.get(call_sid) or self._add(call_sid, session_id)
        return entry.read()

    async def start_stream(self, call_sid: str, session_id: str) -> IndexedCall | None:
        entry = self._entries.get(call_sid)
        if entry is None:
            return None
        before = entry.read()
        if before == IndexedCall(session_id, "pending"):
            entry.state = "streaming"
        return before

    async def end(self, call_sid: str, session_id: str = "") -> IndexedCall | None:
        return self._finish(call_sid, session_id, only_from=None)

    async def end_if_pending(self, call_sid: str, session_id: str) -> bool:
        before = self._finish(call_sid, session_id, only_from="pending")
        return before == IndexedCall(session_id, "pending")

    async def lookup(self, call_sid: str) -> IndexedCall | None:
        entry = self._entries.get(call_sid)
        return None if entry is None else entry.read()

    async def ping(self) -> None:
        pass

    async def check_access(self) -> None:
        pass

    async def close(self) -> None:
        pass

    def _add(self, call_sid: str, session_id: str) -> _Entry:
        entry = _Entry(session_id, "pending", time.monotonic() + self._timeout_s)
        self._entries[call_sid] = entry
        return entry

    def _finish(
        self, call_sid: str, session_id: str, only_from: CallState | None
    ) -> IndexedCall | None:
        entry = self._entries.get(call_sid)
        if entry is None or (session_id and entry.session_id != session_id):
            return None
        before = IndexedCall(entry.session_id, entry.state)  # as stored, lapsed or not
        if only_from is None or entry.state == only_from:
            entry.state = "ended"
        return before
