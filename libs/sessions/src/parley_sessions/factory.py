"""Choose a session store from configuration."""

from __future__ import annotations

from typing import Literal

from parley_sessions.memory_store import MemorySessionStore
from parley_sessions.redis_store import RedisSessionStore
from parley_sessions.store import SessionStore

StorageType = Literal["memory", "redis"]


def open_session_store(storage_type: StorageType, connection_string: str) -> SessionStore:
    if storage_type == "memory":
        return MemorySessionStore()
    if storage_type == "redis":
        return RedisSessionStore(connection_string)
    raise ValueError(f"unknown session storage type {storage_type!r}; use 'memory' or 'redis'")
