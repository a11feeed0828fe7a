"""Which sessions a worker recognises audio for: only calls that exist and are live.

Anyone who can write to the audio topic can name any session, so a recogniser is
opened only once the call is confirmed: this worker saw its ``call.started`` (the
lifecycle topic is co-partitioned with the audio, so the same worker reads both), or
the session store holds it as active (a worker that took the call over mid-way).
Audio and the start of the call race each other, so the call's first frames wait,
buffered, for up to ``confirm_within_s`` before the call is refused.

If the session store cannot be reached (or there is none to ask: the in-memory store
is private to one process), audio of a call not seen starting is recognised anyway: a
store outage must not deafen live calls.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict

from parley_sessions import SessionDecryptError, SessionStore, SessionStoreUnavailableError

log = logging.getLogger(__name__)

STARTED_CALLS_REMEMBERED = 10_000
STORE_POLL_S = 0.25
STARTED_POLL_S = 0.02


class SessionGate:
    def __init__(self, store: SessionStore | None, confirm_within_s: float = 3.0) -> None:
        self._store = store
        self._confirm_within_s = confirm_within_s
        self._started: OrderedDict[str, None] = OrderedDict()
        self._store_down_reported = False

    def started(self, session_id: str) -> None:
        """The call's ``call.started`` reached this worker."""
        self._started[session_id] = None
        self._started.move_to_end(session_id)
        while len(self._started) > STARTED_CALLS_REMEMBERED:
            self._started.popitem(last=False)

    def ended(self, session_id: str) -> None:
        self._started.pop(session_id, None)

    async def confirm(self, session_id: str) -> bool:
        """True once the call is known to be live; False if it is not within the wait."""
        deadline = time.monotonic() + self._confirm_within_s
        next_store_check = 0.0
        while True:
            if session_id in self._started:
                return True
            now = time.monotonic()
            if now >= next_store_check:
                active = await self._active_in_store(session_id)
                if active is not False:
                    return True
                next_store_check = now + STORE_POLL_S
            if now >= deadline:
                return False
            await asyncio.sleep(STARTED_POLL_S)

    async def _active_in_store(self, session_id: str) -> bool | None:
        """Whether the store holds the session as active; None if it cannot say."""
        if self._store is None:
            return None
        if not _is_session_id(session_id):
            return False
        try:
            session = await self._store.get(session_id)
        except (SessionStoreUnavailableError, SessionDecryptError) as exc:
            if not self._store_down_reported:
                self._store_down_reported = True
                log.warning(
                    "cannot read the session store (unreachable, or sealed with other "
                    "keys); recognising calls not seen starting without checking them",
                    extra={"event": "stt.session_store_unavailable", "error": str(exc)},
                )
            return None
        self._store_down_reported = False
        return session is not None and session.status == "active"


def _is_session_id(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
