"""Call SID → session id and where the call is in its life, shared by every edge instance.

Twilio's webhook signatures carry no timestamp, so a captured voice webhook can be posted
again at any time, to any edge. The index is what makes that harmless: a call gets one
session however often its webhook arrives (:meth:`CallIndex.claim`), one media stream
however often its ``start`` is replayed (:meth:`CallIndex.start_stream`), and once it is
over it stays over (:meth:`CallIndex.end`). Each step is one Lua script, atomic in Redis,
so two edges answering the same call at once still agree.

A call the edge answered but whose stream has not started is ``pending`` only until its
deadline, read from Redis' own clock so every edge agrees on it: past that it reads as
``ended`` even if the edge that answered it is gone and never said so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import RedisError

from parley_sessions.errors import SessionError
from parley_sessions.redis_access import PROBE_ID, check_redis_access
from parley_sessions.redis_connection import RedisConnection, connect_redis
from parley_sessions.redis_diagnosis import classify
from parley_sessions.redis_rights import RedisRights

KEY_PREFIX = "parley:calls:"
# Longer than any call lasts: the entry says a call is over for as long as it is kept.
INDEX_TTL_S = 24 * 3600
DEFAULT_PENDING_TIMEOUT_S = 5.0

CallState = Literal["pending", "streaming", "ended"]
CALL_STATES: tuple[CallState, ...] = ("pending", "streaming", "ended")

# The entry of KEYS[1] as {session, state}, or nil; a pending call past its deadline
# reads as ended. It only reads; the scripts built on it write.
_ENTRY = """
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function entry(key)
  local found = redis.call('HMGET', key, 'session', 'state', 'pending_until_ms')
  if not found[1] then return nil end
  if found[2] == 'pending' and now_ms() > tonumber(found[3]) then
    return {found[1], 'ended'}
  end
  return {found[1], found[2]}
end
"""
# ARGV: session id, entry TTL (s), pending timeout (ms).
_CLAIM = (
    _ENTRY
    + """
local current = entry(KEYS[1])
if current then return current end
redis.call('HSET', KEYS[1], 'session', ARGV[1], 'state', 'pending',
           'pending_until_ms', now_ms() + tonumber(ARGV[3]))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return {ARGV[1], 'pending'}
"""
)
# ARGV: session id.
_START = (
    _ENTRY
    + """
local current = entry(KEYS[1])
if current and current[1] == ARGV[1] and current[2] == 'pending' then
  redis.call('HSET', KEYS[1], 'state', 'streaming')
end
return current
"""
)
# ARGV: session id ('' for whichever the call has), the state it must be in ('' for any).
# Returns the entry as stored before, a pending call past its deadline still pending:
# whoever ends that one learns its stream never started.
_END = """
local found = redis.call('HMGET', KEYS[1], 'session', 'state')
if not found[1] or (ARGV[1] ~= '' and found[1] ~= ARGV[1]) then return nil end
if ARGV[2] == '' or found[2] == ARGV[2] then
  redis.call('HSET', KEYS[1], 'state', 'ended')
end
return found
"""
_LOOKUP = _ENTRY + "\nreturn entry(KEYS[1])\n"
# The start-up probe: every command the scripts run, on a key no call has, removed again
# (EXPIRE 0 deletes) before the script ends, so nobody sees it.
_PROBE = """
redis.call('TIME')
redis.call('HMGET', KEYS[1], 'session')
redis.call('HSET', KEYS[1], 'state', 'ended')
redis.call('EXPIRE', KEYS[1], 0)
return 0
"""
RIGHTS = RedisRights(
    "call index",
    keys=(f"{KEY_PREFIX}*",),
    commands=("evalsha", "script|load", "time", "hmget", "hset", "expire"),
)


class CallIndexUnavailableError(SessionError):
    """Redis, which holds the call index, cannot be reached or refused the command."""


@dataclass(frozen=True)
class IndexedCall:
    session_id: str
    state: CallState


class CallIndex:
    def __init__(
        self,
        connection: RedisConnection | str,
        pending_timeout_s: float = DEFAULT_PENDING_TIMEOUT_S,
    ) -> None:
        self._connection = RedisConnection.of(connection)
        self._redis: Redis = connect_redis(self._connection)
        self._pending_timeout_ms = int(pending_timeout_s * 1000)
        self._claim = self._redis.register_script(_CLAIM)
        self._start = self._redis.register_script(_START)
        self._end = self._redis.register_script(_END)
        self._lookup = self._redis.register_script(_LOOKUP)
        self._probe = self._redis.register_script(_PROBE)

    async def claim(self, call_sid: str, session_id: str) -> IndexedCall:
        """The call's entry: a new ``pending`` one for ``session_id`` if the call had none,
        otherwise the one it already has (another session id: the webhook is a replay)."""
        found = await self._run(
            self._claim, call_sid, session_id, INDEX_TTL_S, self._pending_timeout_ms
        )
        assert found is not None  # the script returns an entry, new or old
        return found

    async def start_stream(self, call_sid: str, session_id: str) -> IndexedCall | None:
        """Moves a pending call of ``session_id`` to ``streaming``, at most once.

        Returns the entry as it was: the stream may start only if that is
        ``IndexedCall(session_id, "pending")``; any other answer means the start is a
        replay, late, or for a call this index never answered.
        """
        return await self._run(self._start, call_sid, session_id)

    async def end(self, call_sid: str, session_id: str = "") -> IndexedCall | None:
        """The call is over (for ``session_id`` only, when given): from now on a replayed
        webhook cannot start it again. Returns the entry as it was, or None."""
        return await self._run(self._end, call_sid, session_id, "")

    async def end_if_pending(self, call_sid: str, session_id: str) -> bool:
        """Ends the call only if its stream never started (even past its deadline); True
        when this ended it."""
        before = await self._run(self._end, call_sid, session_id, "pending")
        return before == IndexedCall(session_id, "pending")

    async def lookup(self, call_sid: str) -> IndexedCall | None:
        return await self._run(self._lookup, call_sid)

    async def ping(self) -> None:
        await self._redis.ping()

    async def check_access(self) -> None:
        """At start-up: raise if Redis refuses the login or a right the index needs."""

        async def probe() -> None:
            await self._redis.ping()
            await self._probe(keys=[KEY_PREFIX + PROBE_ID])

        await check_redis_access(self._connection, RIGHTS, probe)

    async def close(self) -> None:
        await self._redis.aclose()

    async def _run(
        self, script: AsyncScript, call_sid: str, *args: str | int
    ) -> IndexedCall | None:
        try:
            reply = await script(keys=[KEY_PREFIX + call_sid], args=args)
        except RedisError as exc:
            # Unreachable, or refusing writes (out of memory, a read-only replica, a user
            # without the right): either way no call can be answered safely until
            # REDIS_URL points at a working Redis.
            reason = classify(exc, self._connection, RIGHTS)
            raise CallIndexUnavailableError(
                f"the call index at REDIS_URL failed: {reason}"
            ) from exc
        return _indexed(reply)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _indexed(reply: Any) -> IndexedCall | None:
    if not reply:
        return None
    session_id, state = (_text(v) for v in reply)
    if state not in CALL_STATES:
        raise ValueError(f"call index entry in an unknown state {state!r}")
    return IndexedCall(session_id, state)
