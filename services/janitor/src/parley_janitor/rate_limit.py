"""Request limits per operation and caller, counted in Redis so every janitor shares them.

A fixed window per operation and caller identity (parley_janitor.callers): the first
request of a window creates the caller's counter with an expiry of one window, so an
idle caller's counter is gone a window later; a request past the limit is refused with
the seconds until the window turns over. One caller using up its budget refuses nobody
else.

Memory stays bounded under a flood of distinct callers (spoofed or rotating addresses):
each window admits at most ``max_callers`` callers of an operation to a counter of their
own; callers beyond them share a single overflow counter with the same limit. All of it
is one Lua script, so the count and the check are atomic across janitors.

If Redis cannot be reached the request is let through (and a warning logged): a limit
outage must not stop calls.
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
# Requests per window (one minute by default) for each session operation, per caller.
DEFAULT_LIMITS: Mapping[str, int] = {
    "session.create": 100,
    "session.get": 1000,
    "session.update": 1000,
    "session.close": 100,
    "session.cleanup": 10,
}
# Callers of one operation with a counter of their own in one window.
MAX_CALLERS = 10_000

# KEYS: the caller's counter, the window's count of callers, the window's overflow counter.
# ARGV: expiry in seconds, MAX_CALLERS. Returns {requests counted, 1 if overflow else 0}.
_COUNT = """
local ttl = tonumber(ARGV[1])
local count = redis.call('INCR', KEYS[1])
if count > 1 then
  return {count, 0}
end
redis.call('EXPIRE', KEYS[1], ttl)
local callers = redis.call('INCR', KEYS[2])
if callers == 1 then
  redis.call('EXPIRE', KEYS[2], ttl)
end
if callers <= tonumber(ARGV[2]) then
  return {count, 0}
end
redis.call('DEL', KEYS[1])
count = redis.call('INCR', KEYS[3])
if count == 1 then
  redis.call('EXPIRE', KEYS[3], ttl)
end
return {count, 1}
"""


class RateLimitedError(Exception):
    def __init__(
        self,
        operation: str,
        limit: int,
        window_s: float,
        retry_after_s: int,
        shared_past: int | None = None,
    ) -> None:
        whose = (
            "for this caller"
            if shared_past is None
            else f"shared by every caller past the first {shared_past} of this window"
        )
        super().__init__(
            f"rate limit for {operation} reached ({limit} requests per {window_s:g} s {whose},"
            f" across all janitors); retry in {retry_after_s} s"
        )
        self.retry_after_s = retry_after_s


class RateLimiter:
    def __init__(
        self,
        redis: Redis,
        window_s: float = 60.0,
        limits: Mapping[str, int] = DEFAULT_LIMITS,
        max_callers: int = MAX_CALLERS,
    ) -> None:
        self._count = redis.register_script(_COUNT)
        self._window_s = window_s
        self._limits = limits
        self._max_callers = max_callers

    async def check(self, operation: str, caller: str) -> None:
        """Count one request of ``caller``; raise RateLimitedError past the window's limit."""
        limit = self._limits[operation]
        now = time.time()
        window = math.floor(now / self._window_s)
        # One hash tag per operation and window keeps the script's keys on one cluster slot.
        base = f"{KEY_PREFIX}{{{operation}:{window}}}:"
        keys = [f"{base}caller:{caller}", f"{base}callers", f"{base}overflow"]
        try:
            count, overflow = await self._count(
                keys=keys, args=[math.ceil(self._window_s) + 1, self._max_callers]
            )
        except RedisError as exc:
            log.warning(
                "rate limit store unreachable; request allowed",
                extra={"event": "janitor.rate_limit_unavailable", "error": str(exc)},
            )
            return
        if int(count) > limit:
            retry_after = max(1, math.ceil((window + 1) * self._window_s - now))
            shared_past = self._max_callers if int(overflow) else None
            raise RateLimitedError(operation, limit, self._window_s, retry_after, shared_past)
