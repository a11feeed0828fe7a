"""How a session is written at rest: JSON, sealed with authenticated encryption.

Keys are Parley's Fernet keys (:class:`parley_contracts.keyring.Keyring`, also sealing
event text on Kafka), newest first. The first key seals; every key opens, so a key can be
rotated in by putting a new one first and retired once every record has been rewritten
(or has expired).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

import orjson
from parley_contracts.keyring import KEYS_ENV, BrokenSealError, Keyring, parse_keys

from parley_sessions.errors import SessionDecryptError
from parley_sessions.model import Session

log = logging.getLogger(__name__)

# parse_keys and KEYS_ENV are the session store's names for the keyring's.
__all__ = ["KEYS_ENV", "SessionCodec", "parse_keys"]


class SessionCodec:
    def __init__(self, keys: Sequence[str] = ()) -> None:
        self._keyring = Keyring(keys)
        if not self._keyring:
            log.warning(
                "no session encryption key set: conversation text is stored in clear;"
                " set PARLEY_SESSIONS_ENCRYPTION_KEYS",
                extra={"event": "sessions.unencrypted"},
            )

    @classmethod
    def from_env(cls) -> SessionCodec:
        """Keys from PARLEY_SESSIONS_ENCRYPTION_KEYS (comma-separated, newest first)."""
        return cls(parse_keys(os.environ.get(KEYS_ENV, "")))

    @property
    def encrypts(self) -> bool:
        return bool(self._keyring)

    def encode(self, session: Session) -> bytes:
        plain = orjson.dumps(session.to_json_dict())
        return self._keyring.seal_token(plain) if self._keyring else plain

    def decode(self, stored: bytes | str) -> Session:
        raw = stored.encode() if isinstance(stored, str) else stored
        if raw[:1] == b"{":
            return Session.model_validate(orjson.loads(raw))
        if not self._keyring:
            raise SessionDecryptError(
                "a stored session is encrypted but no key is configured;"
                " set PARLEY_SESSIONS_ENCRYPTION_KEYS to the key it was written with"
            )
        try:
            plain = self._keyring.open_token(raw)
        except BrokenSealError as exc:
            raise SessionDecryptError(
                "a stored session cannot be opened with any configured key (tampered, or"
                " written with a retired key); add that key to PARLEY_SESSIONS_ENCRYPTION_KEYS"
            ) from exc
        return Session.model_validate(orjson.loads(plain))
