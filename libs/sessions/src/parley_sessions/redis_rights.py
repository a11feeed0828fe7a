"""What each part of Parley does in Redis, as the ACL rules a Redis user needs for it.

Each part that keeps state in Redis (the session store, the call index, the janitor's
rate limits) declares its keys and the commands it runs on them, its Lua scripts'
commands included: Redis checks every command a script calls against the user's ACL
too. :func:`acl_rule` turns them into the rule an operator gives Parley's Redis user,
and a refused command's message names the rule of the part that was refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# What every client runs whatever it keeps: PING (readiness) and SELECT (a database
# other than 0 in REDIS_URL). AUTH and HELLO are allowed to every user.
CONNECTION_COMMANDS = ("ping", "select")


@dataclass(frozen=True)
class RedisRights:
    """``keys`` are glob patterns (``~pattern`` in an ACL rule), ``commands`` lower-case
    command names (``script|load`` for a subcommand)."""

    part: str
    keys: tuple[str, ...]
    commands: tuple[str, ...]

    def rule(self) -> str:
        return acl_rule([self])


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def acl_rule(rights: Iterable[RedisRights]) -> str:
    """The ACL rule (the part of ``ACL SETUSER`` or a ``user`` line after the user's name
    and password) allowing these parts and nothing else: no other keys, no Pub/Sub
    channels, no other commands."""
    rights = list(rights)
    keys = _unique(key for part in rights for key in part.keys)
    commands = _unique([*CONNECTION_COMMANDS, *(c for part in rights for c in part.commands)])
    return " ".join(
        ["resetkeys", *(f"~{key}" for key in keys), "resetchannels", "-@all"]
        + [f"+{command}" for command in commands]
    )
