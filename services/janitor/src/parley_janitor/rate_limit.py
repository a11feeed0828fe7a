"""Request limits per operation, counted in Redis so every janitor shares them.

A fixed window per operation: the first request of a window creates its counter with
an expiry of one window; a request past the limit is refused with the seconds until
the window turns over. If Redis cannot be reached the request is let through (and a
warning logged): a limit outage must not stop calls.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

KEY_PREFIX = "parley:ratelimit:"
# Requests per window (one minute by default) for each session operation.
DEFAULT_LIMITS: Mapping[str, int] = {
    "session.create": 100,
    "session.get": 1000,
    "session.update": 1000,
    "session.close": 100,
    "session.cleanup": 10,
}


class RateLimitedError(Exception):
    def __init__(self, operation: str, limit: int, window_s: float, retry_after_s: int) -> None:
        super().__init__(
            f"rate limit for {operation} reached ({limit} requests per {window_s:g} s across"
            f" all janitors); retry in {retry_after_s} s"
        )
        self.retry_after_s = retry_after_s


class RateLimiter:
    def __init__(
        self, redis: Redis, window_s: float = 60.0, limits: Mapping[str, int] = DEFAULT_LIMITS
    ) -> None:
        self._redis = redis
        self._window_s = window_s
        self._limits = limits

    async def check(self, operation: str) -> None:
        """Count one request; raise RateLimitedError if it is past the window's limit."""
        limit = self._limits[operation]
        now = time.time()
        window = math.floor(now / self._window_s)
        key = f"{KEY_PREFIX}{operation}:{window}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, math.ceil(self._window_s) + 1, nx=True)
                count, _ = await pipe.execute()
        except RedisError as exc:
            log.warning(
                "rate limit store unreachable; request allowed",
                extra={"event": "janitor.rate_limit_unavailable", "error": str(exc)},
            )
            return
        if int(count) > limit:
            retry_after = max(1, math.ceil((window + 1) * self._window_s - now))
            raise RateLimitedError(operation, limit, self._window_s, retry_after)
