"""How many calls this edge instance takes: answered-but-not-yet-streaming calls count too,
so a burst of webhooks cannot overshoot the limit and leave half-open calls.

It counts sessions, and a call has one session however often its webhook arrives:
:class:`~parley_edge.call_ledger.CallLedger` asks for a place only for a call's first
webhook, and gives a pending place back when the call's stream does not come in time.
"""

from __future__ import annotations


class CallAdmission:
    def __init__(self, max_calls: int) -> None:
        self._max_calls = max_calls
        self._pending: set[str] = set()
        self._active: set[str] = set()

    def reserve(self, session_id: str) -> bool:
        """Hold a place for a call the voice webhook is about to connect; False when full."""
        if len(self._pending) + len(self._active) >= self._max_calls:
            return False
        self._pending.add(session_id)
        return True

    def activate(self, session_id: str) -> None:
        """The call's media stream started here: it holds its place until :meth:`release`.

        A stream whose webhook another instance answered takes a place here without a
        reservation, over the limit if need be: its caller has already been answered.
        """
        self._pending.discard(session_id)
        self._active.add(session_id)

    def release(self, session_id: str) -> None:
        self._pending.discard(session_id)
        self._active.discard(session_id)

    def is_pending(self, session_id: str) -> bool:
        return session_id in self._pending

    def __len__(self) -> int:
        return len(self._pending) + len(self._active)
