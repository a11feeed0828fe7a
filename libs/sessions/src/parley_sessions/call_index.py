"""Call SID → session id, so a status callback reaching any edge finds its session."""

from __future__ import annotations

from redis.asyncio import Redis

from parley_sessions.redis_connection import connect_redis

KEY_PREFIX = "parley:call:"
INDEX_TTL_S = 24 * 3600


class CallIndex:
    def __init__(self, url: str) -> None:
        self._redis: Redis = connect_redis(url)

    async def remember(self, call_sid: str, session_id: str) -> None:
        await self._redis.set(KEY_PREFIX + call_sid, session_id, ex=INDEX_TTL_S)

    async def lookup(self, call_sid: str) -> str | None:
        value = await self._redis.get(KEY_PREFIX + call_sid)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()
