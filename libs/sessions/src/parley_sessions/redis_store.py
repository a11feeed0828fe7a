"""Redis-backed sessions: one JSON value per session plus a sorted set of expiry times.

The sorted set lets the janitor find idle sessions and close them with an event before
Redis's own key expiry (kept as a safety net) removes the record.
"""

from __future__ import annotations

from datetime import datetime

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoPermissionError, RedisError, WatchError
from redis.exceptions import TimeoutError as RedisTimeoutError

from parley_sessions.codec import SessionCodec
from parley_sessions.errors import (
    SessionConflictError,
    SessionNotFoundError,
    SessionStoreUnavailableError,
)
from parley_sessions.model import Session
from parley_sessions.redis_access import PROBE_ID, check_redis_access
from parley_sessions.redis_connection import RedisConnection, connect_redis
from parley_sessions.redis_diagnosis import classify
from parley_sessions.redis_rights import RedisRights
from parley_sessions.store import Mutation, SessionStore, next_version

KEY_PREFIX = "parley:session:"
EXPIRY_INDEX = "parley:sessions:expiry"
ACTIVITY_INDEX = "parley:sessions:activity"
# How long a record outlives its expiry time or its close, for inspection after a call.
RETENTION_S = 3600
MAX_UPDATE_ATTEMPTS = 20
RIGHTS = RedisRights(
    "session store",
    keys=(f"{KEY_PREFIX}*", EXPIRY_INDEX, ACTIVITY_INDEX),
    commands=(
        *("get", "set", "zadd", "zrem", "zrangebyscore"),
        *("watch", "unwatch", "multi", "exec", "discard"),
    ),
)
# Redis failing (down, or refusing this user) rather than the request: the store is
# unavailable until the operator or Redis fixes it.
_UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, NoPermissionError)


def _key(session_id: str) -> str:
    return KEY_PREFIX + session_id


class RedisSessionStore(SessionStore):
    def __init__(
        self, connection: RedisConnection | str, codec: SessionCodec | None = None
    ) -> None:
        self._connection = RedisConnection.of(connection)
        self._redis: Redis = connect_redis(self._connection)
        self._codec = codec or SessionCodec.from_env()

    def _unavailable(self, exc: RedisError) -> SessionStoreUnavailableError:
        return SessionStoreUnavailableError(str(classify(exc, self._connection, RIGHTS)))

    async def _write(self, pipe: Redis, session: Session) -> None:
        key = _key(session.id)
        payload = self._codec.encode(session)
        if session.status == "active":
            pipe.set(key, payload, ex=session.ttl + RETENTION_S)
            pipe.zadd(EXPIRY_INDEX, {session.id: session.expires_at().timestamp()})
            pipe.zadd(ACTIVITY_INDEX, {session.id: session.last_activity_at.timestamp()})
        else:
            pipe.set(key, payload, ex=RETENTION_S)
            pipe.zrem(EXPIRY_INDEX, session.id)
            pipe.zrem(ACTIVITY_INDEX, session.id)

    async def create(self, session: Session) -> Session:
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                await self._write(pipe, session)
                await pipe.execute()
        except _UNAVAILABLE as exc:
            raise self._unavailable(exc) from exc
        return session

    async def get(self, session_id: str) -> Session | None:
        try:
            raw = await self._redis.get(_key(session_id))
        except _UNAVAILABLE as exc:
            raise self._unavailable(exc) from exc
        return None if raw is None else self._codec.decode(raw)

    async def update(self, session_id: str, mutate: Mutation) -> Session:
        key = _key(session_id)
        try:
            for _ in range(MAX_UPDATE_ATTEMPTS):
                async with self._redis.pipeline(transaction=True) as pipe:
                    try:
                        await pipe.watch(key)
                        raw = await pipe.get(key)
                        if raw is None:
                            # The record expired under Redis's own TTL: drop its index entries.
                            await self._redis.zrem(EXPIRY_INDEX, session_id)
                            await self._redis.zrem(ACTIVITY_INDEX, session_id)
                            raise SessionNotFoundError(session_id)
                        updated = next_version(mutate(self._codec.decode(raw)))
                        pipe.multi()  # type: ignore[no-untyped-call]
                        await self._write(pipe, updated)
                        await pipe.execute()
                        return updated
                    except WatchError:
                        continue
        except _UNAVAILABLE as exc:
            raise self._unavailable(exc) from exc
        raise SessionConflictError(
            f"session {session_id} changed under {MAX_UPDATE_ATTEMPTS} concurrent updates in a row"
        )

    async def expired_ids(self, now: datetime, limit: int = 100) -> list[str]:
        return await self._due(EXPIRY_INDEX, now, limit)

    async def idle_ids(self, before: datetime, limit: int = 100) -> list[str]:
        return await self._due(ACTIVITY_INDEX, before, limit)

    async def _due(self, index: str, until: datetime, limit: int) -> list[str]:
        try:
            ids = await self._redis.zrangebyscore(
                index, "-inf", until.timestamp(), start=0, num=limit
            )
        except _UNAVAILABLE as exc:
            raise self._unavailable(exc) from exc
        return [i.decode() if isinstance(i, bytes) else str(i) for i in ids]

    async def ping(self) -> None:
        try:
            await self._redis.ping()
        except _UNAVAILABLE as exc:
            raise self._unavailable(exc) from exc

    async def check_access(self) -> None:
        await check_redis_access(self._connection, RIGHTS, self._probe)

    async def _probe(self) -> None:
        """Every command the store runs, on a probe key and member no record has: the
        writes are conditional on it existing, so nothing changes."""
        key = _key(PROBE_ID)
        await self._redis.ping()
        async with self._redis.pipeline(transaction=True) as pipe:
            await pipe.watch(key)
            await pipe.get(key)
            pipe.multi()  # type: ignore[no-untyped-call]
            pipe.set(key, b"", ex=1, xx=True)
            for index in (EXPIRY_INDEX, ACTIVITY_INDEX):
                pipe.zadd(index, {PROBE_ID: 0}, xx=True)
                pipe.zrem(index, PROBE_ID)
                pipe.zrangebyscore(index, "-inf", "-inf", start=0, num=1)
            await pipe.execute()

    async def close_store(self) -> None:
        await self._redis.aclose()
