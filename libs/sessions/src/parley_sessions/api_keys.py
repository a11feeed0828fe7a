"""API keys for the session API: what a key may do, and how keys are stored.

A key is a random bearer token handed to one client. The janitor is configured with an
entry per key, ``<id>:<scopes>:<sha256 of the key, hex>``, entries separated by commas
(``PARLEY_JANITOR_API_KEYS``); it never holds the key itself, so a leaked setting or
Secret grants nothing. Scopes are joined with ``+`` and imply each other downwards:
``admin`` implies ``write``, which implies ``read``.

Several entries may be live at once, which is how a key is rotated: add the new entry,
move the clients over, then remove the old one.

This module lives in a library because the local launcher (parley_devstack) makes a key
for the janitor it starts, and services never import each other.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

Scope = Literal["read", "write", "admin"]
SCOPES: tuple[Scope, ...] = get_args(Scope)
# What each scope grants, itself included.
_GRANTS: dict[Scope, frozenset[Scope]] = {
    "read": frozenset({"read"}),
    "write": frozenset({"read", "write"}),
    "admin": frozenset({"read", "write", "admin"}),
}
# Keys start with a recognisable prefix so secret scanners and people can tell them apart.
KEY_PREFIX = "parley_sk_"
_KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_DIGEST = re.compile(r"[0-9a-f]{64}")


class ApiKeyEntryError(ValueError):
    """An API key entry that cannot be used; the message names it and says what to fix."""


def key_digest(key: str) -> str:
    """The SHA-256 of ``key``, hex: what an entry stores in place of the key."""
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class ApiKeyEntry:
    """One configured key: its id (logs, rate limits), its scopes and its key's digest."""

    key_id: str
    scopes: frozenset[Scope]
    digest: str

    def grants(self, scope: Scope) -> bool:
        return any(scope in _GRANTS[held] for held in self.scopes)

    def line(self) -> str:
        scopes = "+".join(s for s in SCOPES if s in self.scopes)
        return f"{self.key_id}:{scopes}:{self.digest}"


def _parse_entry(text: str) -> ApiKeyEntry:
    parts = text.split(":")
    if len(parts) != 3:
        raise ApiKeyEntryError(
            f"API key entry {_redacted(text)!r} is not <id>:<scopes>:<sha256 hex>;"
            " make one with `python -m parley_janitor.keys new`"
        )
    key_id, scopes_text, digest = parts
    if not _KEY_ID.fullmatch(key_id):
        raise ApiKeyEntryError(
            f"API key id {key_id!r} must be 1-64 letters, digits, '_', '.' or '-'"
        )
    scopes = scopes_text.split("+")
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes_text:
        raise ApiKeyEntryError(
            f"API key {key_id!r} has unknown scopes {unknown or [scopes_text]};"
            f" use {'/'.join(SCOPES)}, joined with '+'"
        )
    if not _DIGEST.fullmatch(digest):
        raise ApiKeyEntryError(
            f"API key {key_id!r}: the third field must be the key's SHA-256 (64 lowercase hex"
            " digits), never the key itself; make an entry with"
            " `python -m parley_janitor.keys new` and keep the key with the client only"
        )
    return ApiKeyEntry(key_id, frozenset(s for s in SCOPES if s in scopes), digest)


def _redacted(text: str) -> str:
    """An entry for an error message: its id, never what may be a key."""
    return text.split(":", 1)[0] + ":..." if ":" in text else "<entry>"


def parse_api_keys(value: str) -> list[ApiKeyEntry]:
    """Comma-separated entries; ApiKeyEntryError for a malformed one or a repeated id."""
    entries = [_parse_entry(e.strip()) for e in value.split(",") if e.strip()]
    seen: set[str] = set()
    for entry in entries:
        if entry.key_id in seen:
            raise ApiKeyEntryError(
                f"API key id {entry.key_id!r} appears twice; give each key its own id"
            )
        seen.add(entry.key_id)
    return entries


def new_api_key(key_id: str, scopes: Iterable[Scope]) -> tuple[str, ApiKeyEntry]:
    """A new random key and the entry that admits it (checked as a configured one is)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    line = f"{key_id}:{'+'.join(scopes)}:{key_digest(key)}"
    return key, _parse_entry(line)


class ApiKeyRing:
    """The configured entries; finds the one a presented key belongs to."""

    def __init__(self, entries: Iterable[ApiKeyEntry]) -> None:
        self._entries = tuple(entries)

    def __len__(self) -> int:
        return len(self._entries)

    def match(self, key: str) -> ApiKeyEntry | None:
        """The entry whose digest is ``key``'s. Every entry is compared, each in constant
        time, so the time taken says nothing about which digest came close."""
        presented = key_digest(key).encode()
        found: ApiKeyEntry | None = None
        for entry in self._entries:
            if hmac.compare_digest(presented, entry.digest.encode()):
                found = entry
        return found
