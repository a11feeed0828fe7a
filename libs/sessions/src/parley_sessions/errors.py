"""Errors the session store raises; messages tell the caller what to do next."""

from __future__ import annotations


class SessionError(Exception):
    """Base class for session store errors."""


class SessionNotFoundError(SessionError):
    def __init__(self, session_id: str) -> None:
        super().__init__(
            f"session {session_id} does not exist or has expired; create a new session"
        )
        self.session_id = session_id


class SessionAlreadyClosedError(SessionError):
    def __init__(self, session_id: str) -> None:
        super().__init__(f"session {session_id} is already closed")
        self.session_id = session_id


class SessionConflictError(SessionError):
    """Optimistic locking kept failing: too many concurrent writers on one session."""


class SessionStoreUnavailableError(SessionError):
    """The backing store cannot be reached."""


class SessionDecryptError(SessionError):
    """A stored session cannot be decrypted with the configured keys."""
