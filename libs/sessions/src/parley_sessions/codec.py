"""How a session is written at rest: JSON, sealed with authenticated encryption.

Keys are Fernet keys (AES-128-CBC + HMAC-SHA256) from the environment, newest first.
The first key seals; every key opens, so a key can be rotated in by putting a new one
first and retired once every record has been rewritten (or has expired).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

import orjson
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from parley_sessions.errors import SessionDecryptError
from parley_sessions.model import Session

log = logging.getLogger(__name__)

KEYS_ENV = "PARLEY_SESSIONS_ENCRYPTION_KEYS"


def parse_keys(value: str) -> list[str]:
    """Split a comma-separated key list (the environment's form), dropping blanks."""
    return [key.strip() for key in value.split(",") if key.strip()]


class SessionCodec:
    def __init__(self, keys: Sequence[str] = ()) -> None:
        try:
            self._fernet = MultiFernet([Fernet(key) for key in keys]) if keys else None
        except ValueError as exc:
            raise ValueError(
                "a session encryption key is not a valid Fernet key (32 url-safe base64 bytes);"
                " make one with `python -c 'from cryptography.fernet import Fernet;"
                " print(Fernet.generate_key().decode())'`"
            ) from exc
        if self._fernet is None:
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
        return self._fernet is not None

    def encode(self, session: Session) -> bytes:
        plain = orjson.dumps(session.to_json_dict())
        return plain if self._fernet is None else self._fernet.encrypt(plain)

    def decode(self, stored: bytes | str) -> Session:
        raw = stored.encode() if isinstance(stored, str) else stored
        if raw[:1] == b"{":
            return Session.model_validate(orjson.loads(raw))
        if self._fernet is None:
            raise SessionDecryptError(
                "a stored session is encrypted but no key is configured;"
                " set PARLEY_SESSIONS_ENCRYPTION_KEYS to the key it was written with"
            )
        try:
            plain = self._fernet.decrypt(raw)
        except InvalidToken as exc:
            raise SessionDecryptError(
                "a stored session cannot be opened with any configured key (tampered, or"
                " written with a retired key); add that key to PARLEY_SESSIONS_ENCRYPTION_KEYS"
            ) from exc
        return Session.model_validate(orjson.loads(plain))
