"""The Redis client every Parley component builds."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError


def connect_redis(url: str, timeout_s: float = 5.0) -> Redis:
    """A client that retries a command once, at once, on a fresh connection.

    After Redis restarts, every pooled connection is dead; without the retry the first
    command on each fails (a call's end not recorded, a status callback refused). One
    immediate retry keeps a real outage quick to detect: its reconnect is refused at once.
    """
    return Redis.from_url(
        url,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        retry=Retry(NoBackoff(), 1),
        retry_on_error=[RedisConnectionError],
    )
