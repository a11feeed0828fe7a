"""Parley's Redis user: every part's rights (:mod:`parley_sessions.redis_rights`) as the
one ACL rule a deployment gives the user in REDIS_URL, and the janitor's rate limits,
whose counters live in Redis too.

The rule allows Parley's keys (``parley:...``) and the commands run on them, nothing
else: no other keys, no Pub/Sub, no administration (CONFIG, FLUSHALL, KEYS, ...).
"""

from __future__ import annotations

from redis.asyncio import Redis

from parley_sessions import call_index, redis_store
from parley_sessions.redis_access import PROBE_ID, check_redis_access
from parley_sessions.redis_connection import RedisConnection
from parley_sessions.redis_rights import RedisRights, acl_rule

# The janitor's request counters (parley_janitor.rate_limit, one Lua script).
RATE_LIMIT_PREFIX = "parley:ratelimit:"
RATE_LIMITS = RedisRights(
    "rate limits",
    keys=(f"{RATE_LIMIT_PREFIX}*",),
    commands=("evalsha", "script|load", "incr", "expire", "del"),
)
PARLEY_RIGHTS = (redis_store.RIGHTS, call_index.RIGHTS, RATE_LIMITS)
# The rate limit script's commands on a key no caller has, removed before it ends.
_RATE_LIMIT_PROBE = """
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], 1)
redis.call('DEL', KEYS[1])
return 0
"""


def parley_acl_rule() -> str:
    """The rule for the user every Parley service logs in as."""
    return acl_rule(PARLEY_RIGHTS)


async def check_rate_limit_access(redis: Redis, connection: RedisConnection) -> None:
    """The janitor's start-up check of the Redis client its rate limiter counts in."""
    probe = redis.register_script(_RATE_LIMIT_PROBE)

    async def run() -> None:
        await redis.ping()
        await probe(keys=[f"{RATE_LIMIT_PREFIX}{{{PROBE_ID}}}"])

    await check_redis_access(connection, RATE_LIMITS, run)
