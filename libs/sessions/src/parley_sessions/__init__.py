"""Sessions: the per-call record and the stores that keep it."""

from parley_sessions.call_index import CallIndex
from parley_sessions.errors import (
    SessionAlreadyClosedError,
    SessionConflictError,
    SessionError,
    SessionNotFoundError,
    SessionStoreUnavailableError,
)
from parley_sessions.factory import open_session_store
from parley_sessions.history import HistoryWindow, estimate_tokens, history_window
from parley_sessions.memory_store import MemorySessionStore
from parley_sessions.model import Session, ToolCall, Turn
from parley_sessions.redis_store import RedisSessionStore
from parley_sessions.store import SessionStore

__all__ = [
    "CallIndex",
    "HistoryWindow",
    "MemorySessionStore",
    "RedisSessionStore",
    "Session",
    "SessionAlreadyClosedError",
    "SessionConflictError",
    "SessionError",
    "SessionNotFoundError",
    "SessionStore",
    "SessionStoreUnavailableError",
    "ToolCall",
    "Turn",
    "estimate_tokens",
    "history_window",
    "open_session_store",
]
