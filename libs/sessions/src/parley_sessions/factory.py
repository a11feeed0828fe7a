"""Choose a session store from configuration."""

from __future__ import annotations

from typing import Literal

from parley_sessions.codec import SessionCodec
from parley_sessions.memory_store import MemorySessionStore
from parley_sessions.postgres_store import PostgresSessionStore
from parley_sessions.redis_connection import RedisConnection
from parley_sessions.redis_store import RedisSessionStore
from parley_sessions.store import SessionStore

StorageType = Literal["memory", "redis", "postgres"]
STORAGE_TYPES: tuple[StorageType, ...] = ("memory", "redis", "postgres")


def open_session_store(
    storage_type: StorageType,
    connection_string: str | RedisConnection,
    codec: SessionCodec | None = None,
) -> SessionStore:
    """``memory`` ignores the connection string; ``redis`` takes a redis:// URL or a
    :class:`RedisConnection` (TLS files with it) and ``postgres`` a libpq connection
    string or postgresql:// URL."""
    if storage_type == "memory":
        return MemorySessionStore()
    if storage_type == "redis":
        return RedisSessionStore(connection_string, codec)
    if storage_type == "postgres":
        if isinstance(connection_string, RedisConnection):
            raise TypeError("a postgres store takes a connection string, not a RedisConnection")
        return PostgresSessionStore(connection_string, codec)
    raise ValueError(
        f"unknown session storage type {storage_type!r}; use 'memory', 'redis' or 'postgres'"
    )
