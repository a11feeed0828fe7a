"""Parley's encryption keys: the Fernet keys of PARLEY_SESSIONS_ENCRYPTION_KEYS.

One scheme seals caller data wherever it rests: stored sessions and, when turned on,
the text fields of events on Kafka. Fernet is AES-128-CBC with HMAC-SHA256, so a
tampered or foreign token is refused rather than decoded into garbage.

Keys are listed newest first: the first seals, every one opens, so a key is rotated in
by putting a new one first and retired once nothing sealed with it is kept. Each key
has an id (a hash of it, safe to show) that sealed event fields carry, so a reader
knows which key it needs and can name it when it lacks it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

KEYS_ENV = "PARLEY_SESSIONS_ENCRYPTION_KEYS"


class InvalidKeyError(ValueError):
    """A configured key is not a Fernet key."""


class UnknownKeyError(LookupError):
    """Something was sealed with a key this process was not given."""


class BrokenSealError(ValueError):
    """A sealed value does not open with the key it names (tampered or truncated)."""


def parse_keys(value: str) -> list[str]:
    """Split a comma-separated key list (the environment's form), dropping blanks."""
    return [key.strip() for key in value.split(",") if key.strip()]


def key_id(key: str) -> str:
    """A short name for a key that reveals nothing about it."""
    return hashlib.sha256(b"parley key id:" + key.encode()).hexdigest()[:12]


class Keyring:
    """The keys, newest first; empty means nothing is sealed and nothing can be opened."""

    def __init__(self, keys: Sequence[str] = ()) -> None:
        try:
            self._fernets = {key_id(key): Fernet(key) for key in keys}
        except ValueError as exc:
            raise InvalidKeyError(
                f"a key in {KEYS_ENV} is not a valid Fernet key (32 url-safe base64 bytes);"
                " make one with `python -c 'from cryptography.fernet import Fernet;"
                " print(Fernet.generate_key().decode())'`"
            ) from exc
        self._ids = [key_id(key) for key in keys]
        self._all = MultiFernet(list(self._fernets.values())) if keys else None

    @classmethod
    def from_setting(cls, value: str) -> Keyring:
        """Keys from the variable's comma-separated form."""
        return cls(parse_keys(value))

    def __bool__(self) -> bool:
        return self._all is not None

    @property
    def newest_id(self) -> str:
        if not self._ids:
            raise UnknownKeyError(f"no key to seal with; set {KEYS_ENV}")
        return self._ids[0]

    def seal(self, plain: bytes) -> tuple[str, str]:
        """(key id, token) of ``plain`` sealed with the newest key."""
        newest = self.newest_id
        return newest, self._fernets[newest].encrypt(plain).decode("ascii")

    def open(self, sealed_with: str, token: str) -> bytes:
        """What the key named ``sealed_with`` sealed into ``token``."""
        fernet = self._fernets.get(sealed_with)
        if fernet is None:
            raise UnknownKeyError(
                f"sealed with key id {sealed_with}, which is not among this process's"
                f" {KEYS_ENV}; give it that key (keep retired keys listed until their data"
                " has expired)"
            )
        try:
            return fernet.decrypt(token.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError) as exc:
            raise BrokenSealError(
                f"a value sealed with key id {sealed_with} does not open (tampered or truncated)"
            ) from exc

    def seal_token(self, plain: bytes) -> bytes:
        """A bare Fernet token of ``plain`` (no key id: the session store's format)."""
        if self._all is None:
            raise UnknownKeyError(f"no key to seal with; set {KEYS_ENV}")
        return self._all.encrypt(plain)

    def open_token(self, token: bytes) -> bytes:
        """A bare Fernet token opened with whichever key sealed it."""
        if self._all is None:
            raise UnknownKeyError(f"sealed, but no key is configured; set {KEYS_ENV}")
        try:
            return self._all.decrypt(token)
        except InvalidToken as exc:
            raise BrokenSealError(
                f"sealed with none of the keys in {KEYS_ENV} (tampered, or written with a"
                " retired key)"
            ) from exc
