"""The start-up check of a Redis client: can this process log in, and run what it needs?

Each part keeping state in Redis runs a probe once at start-up: PING, then its commands
in forms that change nothing (``SET ... XX`` on an absent key, a script on an absent
key), so a missing ACL right shows at once, not on the first call. Refused credentials,
certificates or rights raise the :class:`~parley_sessions.redis_diagnosis.RedisAccessError`
naming the setting to fix: a process that cannot keep its calls' state must not start.
An unreachable Redis is logged and tolerated: outages are survived at run time
(readiness, fallbacks), and Redis may simply start later.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from redis.exceptions import RedisError

from parley_sessions.redis_connection import RedisConnection
from parley_sessions.redis_diagnosis import RedisUnreachableError, explain
from parley_sessions.redis_rights import RedisRights

log = logging.getLogger(__name__)

Probe = Callable[[], Awaitable[object]]
# The key the probes name: inside every part's key patterns, never a real record's.
PROBE_ID = "access-check"


async def check_redis_access(
    connection: RedisConnection, rights: RedisRights, probe: Probe
) -> None:
    """Run ``probe``; raise why Redis refused it, unless Redis is merely unreachable."""
    try:
        await probe()
    except RedisError as exc:
        reason = await explain(exc, connection, rights)
        fields = {"part": rights.part, "redis": connection.where(), "error": str(reason)}
        if isinstance(reason, RedisUnreachableError):
            log.warning(
                f"Redis unreachable at start-up; the {rights.part} waits for it",
                extra={"event": "redis.unreachable_at_start", **fields},
            )
            return
        log.error(str(reason), extra={"event": "redis.refused", **fields})
        raise reason from exc
    log.info(
        f"Redis access checked for the {rights.part}",
        extra={
            "event": "redis.access_checked",
            "part": rights.part,
            "redis": connection.where(),
            "login": connection.describe(),
        },
    )
