"""Who may call the session API: API keys presented as ``Authorization: Bearer <key>``.

Each operation needs a scope (OPERATION_SCOPES): reading a session needs ``read``,
changing one ``write``, closing idle sessions in bulk ``admin``; the HTTP routes and the
MCP tools share the table. A request without a key, or with one no entry admits, is
answered 401 with a ``WWW-Authenticate: Bearer`` challenge; a key without the scope, 403
with ``error="insufficient_scope"``.

Keys are provisioned out of band (parley_sessions.api_keys), not by an OAuth
authorization server, so no protected-resource metadata is served and the challenges
carry no ``resource_metadata``: there is no authorization server it could name.

The admitted key's id is kept on the request (``request.state``), where the caller
identity (parley_janitor.callers.KeyIdentity) finds it for the rate limits.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

from parley_sessions import SCOPES, ApiKeyEntry, ApiKeyRing, Scope, parse_api_keys

from parley_janitor.callers import KEY_ID_STATE
from parley_janitor.settings import JanitorSettings

log = logging.getLogger(__name__)

OPERATION_SCOPES: Mapping[str, Scope] = {
    "session.get": "read",
    "session.create": "write",
    "session.update": "write",
    "session.close": "write",
    "session.cleanup": "admin",
}
# An operation the table does not name (a tool added later) needs the strongest scope
# until someone decides otherwise.
UNLISTED_SCOPE: Scope = "admin"
REALM = "parley-janitor"


def scope_for(operation: str) -> Scope:
    return OPERATION_SCOPES.get(operation, UNLISTED_SCOPE)


class AuthNotConfiguredError(RuntimeError):
    """The janitor was started with no API keys and without turning authentication off."""


class AuthRefusedError(Exception):
    """A request the API refuses: ``status`` and the ``WWW-Authenticate`` challenge."""

    status = 401
    error = "invalid_token"

    def __init__(self, message: str, needed: Scope = "read") -> None:
        super().__init__(message)
        self.needed = needed

    def challenge(self) -> str:
        return (
            f'Bearer realm="{REALM}", error="{self.error}", scope="{self.needed}",'
            f' error_description="{self}"'
        )


class MissingKeyError(AuthRefusedError):
    def challenge(self) -> str:
        # RFC 6750 section 3.1: no error code when the request carried no credentials.
        return f'Bearer realm="{REALM}", scope="{self.needed}"'


class InvalidKeyError(AuthRefusedError):
    pass


class InsufficientScopeError(AuthRefusedError):
    status = 403
    error = "insufficient_scope"


class Authenticator:
    """Admits requests by their bearer key; ``ring`` None admits everyone (auth off)."""

    def __init__(self, ring: ApiKeyRing | None) -> None:
        self._ring = ring

    @classmethod
    def from_settings(cls, settings: JanitorSettings) -> Authenticator:
        entries = parse_api_keys(settings.api_keys)
        if settings.auth == "off":
            log.warning(
                "session API authentication is OFF: anyone who reaches the janitor can read,"
                " change and close every session; set PARLEY_JANITOR_API_KEYS and remove"
                " PARLEY_JANITOR_AUTH=off",
                extra={"event": "janitor.auth_disabled"},
            )
            return cls(None)
        if not entries:
            raise AuthNotConfiguredError(
                "PARLEY_JANITOR_API_KEYS is empty, so nobody could use the session API:"
                " make a key with `python -m parley_janitor.keys new --id <client>"
                " --scope write` and put its entry line in PARLEY_JANITOR_API_KEYS (or set"
                " PARLEY_JANITOR_AUTH=off to serve it unauthenticated, never in production)"
            )
        return cls(ApiKeyRing(entries))

    def authorize(
        self, scope: MutableMapping[str, Any], authorization: str | None, operations: Iterable[str]
    ) -> None:
        """Admit a request (its ASGI ``scope`` and Authorization header) to ``operations``;
        AuthRefusedError otherwise. The admitted key's id goes into the scope's state."""
        needed = _strongest(scope_for(op) for op in operations)
        if self._ring is None:
            return
        entry = self._admitted(authorization, needed)
        if not entry.grants(needed):
            _refused(entry.key_id, "insufficient_scope")
            raise InsufficientScopeError(
                f"API key {entry.key_id!r} lacks the {needed!r} scope this needs", needed
            )
        scope.setdefault("state", {})[KEY_ID_STATE] = entry.key_id

    def _admitted(self, authorization: str | None, needed: Scope) -> ApiKeyEntry:
        assert self._ring is not None
        if not authorization:
            raise MissingKeyError("send an API key as 'Authorization: Bearer <key>'", needed)
        kind, _, key = authorization.partition(" ")
        entry = self._ring.match(key.strip()) if kind.lower() == "bearer" else None
        if entry is None:
            _refused(None, "invalid_key")
            raise InvalidKeyError(
                "the API key is not one this janitor admits (revoked, mistyped, or not"
                " 'Bearer <key>')",
                needed,
            )
        return entry


def _strongest(scopes: Iterable[Scope]) -> Scope:
    return max(scopes, key=SCOPES.index, default="read")


def _refused(key_id: str | None, reason: str) -> None:
    log.warning(
        "session API request refused",
        extra={"event": "janitor.auth_refused", "key_id": key_id, "reason": reason},
    )
