"""PostgreSQL-backed sessions (psycopg 3): durable; expiry is the janitor's job.

One row per session: the sealed record plus the columns the janitor queries by.
Updates are optimistic: ``UPDATE ... WHERE version = <read version>``, retried when
another writer got there first.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from uuid import UUID

import psycopg

from parley_sessions.codec import SessionCodec
from parley_sessions.errors import (
    SessionConflictError,
    SessionNotFoundError,
    SessionStoreUnavailableError,
)
from parley_sessions.model import Session
from parley_sessions.store import Mutation, SessionStore, next_version

MAX_UPDATE_ATTEMPTS = 20

_SCHEMA = """
CREATE TABLE IF NOT EXISTS parley_sessions (
    session_id uuid PRIMARY KEY,
    status text NOT NULL,
    version integer NOT NULL,
    last_activity_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    record bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS parley_sessions_active_expiry
    ON parley_sessions (expires_at) WHERE status = 'active';
CREATE INDEX IF NOT EXISTS parley_sessions_active_activity
    ON parley_sessions (last_activity_at) WHERE status = 'active';
"""

# By the primary key: the column compared as itself, never cast, so the index is used.
SELECT_RECORD = "SELECT record FROM parley_sessions WHERE session_id = %(id)s"


def _session_key(session_id: str) -> UUID | None:
    """The id as the column's type; None for a string that is no UUID (no such session)."""
    try:
        return UUID(session_id)
    except ValueError:
        return None


def _columns(session: Session, record: bytes) -> dict[str, object]:
    return {
        "id": session.session_id,
        "status": session.status,
        "version": session.version,
        "activity": session.last_activity_at,
        "expires": session.expires_at(),
        "record": record,
    }


class PostgresSessionStore(SessionStore):
    def __init__(self, conninfo: str, codec: SessionCodec | None = None) -> None:
        self._conninfo = conninfo
        self._codec = codec or SessionCodec.from_env()
        self._conn: psycopg.AsyncConnection[tuple[object, ...]] | None = None
        self._lock = asyncio.Lock()

    async def _connection(self) -> psycopg.AsyncConnection[tuple[object, ...]]:
        if self._conn is None or self._conn.closed:
            try:
                self._conn = await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True, connect_timeout=5
                )
                await self._conn.execute(_SCHEMA)
            except psycopg.OperationalError as exc:
                self._conn = None
                raise SessionStoreUnavailableError(f"postgresql unreachable: {exc}") from exc
        return self._conn

    async def _run(self, query: str, params: dict[str, object]) -> list[tuple[object, ...]]:
        async with self._lock:
            conn = await self._connection()
            try:
                cursor = await conn.execute(query, params)
                return await cursor.fetchall() if cursor.description else [(cursor.rowcount,)]
            except psycopg.OperationalError as exc:
                await conn.close()
                raise SessionStoreUnavailableError(f"postgresql unreachable: {exc}") from exc

    async def create(self, session: Session) -> Session:
        await self._run(
            "INSERT INTO parley_sessions"
            " (session_id, status, version, last_activity_at, expires_at, record)"
            " VALUES (%(id)s, %(status)s, %(version)s, %(activity)s, %(expires)s, %(record)s)"
            " ON CONFLICT (session_id) DO UPDATE SET status = EXCLUDED.status,"
            " version = EXCLUDED.version, last_activity_at = EXCLUDED.last_activity_at,"
            " expires_at = EXCLUDED.expires_at, record = EXCLUDED.record",
            _columns(session, self._codec.encode(session)),
        )
        return session

    async def get(self, session_id: str) -> Session | None:
        key = _session_key(session_id)
        rows = [] if key is None else await self._run(SELECT_RECORD, {"id": key})
        if not rows:
            return None
        record = rows[0][0]
        assert isinstance(record, bytes | memoryview)
        return self._codec.decode(bytes(record))

    async def update(self, session_id: str, mutate: Mutation) -> Session:
        for _ in range(MAX_UPDATE_ATTEMPTS):
            current = await self.get(session_id)
            if current is None:
                raise SessionNotFoundError(session_id)
            updated = next_version(mutate(current))
            params = _columns(updated, self._codec.encode(updated))
            params["read_version"] = current.version
            rows = await self._run(
                "UPDATE parley_sessions SET status = %(status)s, version = %(version)s,"
                " last_activity_at = %(activity)s, expires_at = %(expires)s, record = %(record)s"
                " WHERE session_id = %(id)s AND version = %(read_version)s",
                params,
            )
            if rows[0][0] == 1:
                return updated
        raise SessionConflictError(
            f"session {session_id} changed under {MAX_UPDATE_ATTEMPTS} concurrent updates in a row"
        )

    async def _ids(self, column: str, until: datetime, limit: int) -> list[str]:
        rows = await self._run(
            f"SELECT session_id::text FROM parley_sessions WHERE status = 'active'"
            f" AND {column} <= %(until)s ORDER BY {column} LIMIT %(limit)s",
            {"until": until, "limit": limit},
        )
        return [str(row[0]) for row in rows]

    async def expired_ids(self, now: datetime, limit: int = 100) -> list[str]:
        return await self._ids("expires_at", now, limit)

    async def idle_ids(self, before: datetime, limit: int = 100) -> list[str]:
        return await self._ids("last_activity_at", before, limit)

    async def purge(self, before: datetime) -> int:
        rows = await self._run(
            "DELETE FROM parley_sessions"
            " WHERE status = 'closed' AND last_activity_at <= %(before)s",
            {"before": before},
        )
        count = rows[0][0]
        return count if isinstance(count, int) else 0

    async def ping(self) -> None:
        await self._run("SELECT 1", {})

    async def close_store(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
