"""Short-lived HMAC tokens that tie a Media Stream to the voice webhook that issued it.

The edge puts a token in the parameters of the markup that connects a call; the carrier
hands it back in the stream's start message. Only a stream carrying a valid, unexpired
token for its own session and call is let through to Kafka.
"""

from __future__ import annotations

import hashlib
import hmac
import time

TOKEN_VERSION = "v1"
_MAX_EXPIRY_DIGITS = 12


class StreamTokenError(ValueError):
    """A media stream's token is missing, forged, for another call, or expired."""


class StreamTokens:
    def __init__(self, secret: str, ttl_s: int) -> None:
        if not secret:
            raise ValueError(
                "the stream token secret is empty; set PARLEY_EDGE_STREAM_TOKEN_SECRET "
                "(or TWILIO_AUTH_TOKEN, which it defaults to)"
            )
        self._key = secret.encode()
        self._ttl_s = ttl_s

    def issue(self, session_id: str, call_sid: str, now: float | None = None) -> str:
        expires = int((time.time() if now is None else now) + self._ttl_s)
        return f"{TOKEN_VERSION}.{expires}.{self._mac(session_id, call_sid, expires)}"

    def verify(self, token: str, session_id: str, call_sid: str, now: float | None = None) -> None:
        """Raises :class:`StreamTokenError` unless ``token`` is good for this call now."""
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != TOKEN_VERSION or not _is_expiry(parts[1]):
            raise StreamTokenError("malformed stream token")
        expires = int(parts[1])
        # Bytes, not str: compare_digest refuses non-ASCII strings with a TypeError.
        expected = self._mac(session_id, call_sid, expires).encode()
        if not hmac.compare_digest(parts[2].encode(), expected):
            raise StreamTokenError("stream token signature does not match this call")
        if (time.time() if now is None else now) > expires:
            raise StreamTokenError("stream token expired")

    def _mac(self, session_id: str, call_sid: str, expires: int) -> str:
        message = f"{session_id}\n{call_sid}\n{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


def _is_expiry(text: str) -> bool:
    """ASCII digits only: ``int()`` also takes other scripts' digits, and refuses huge ones."""
    return 0 < len(text) <= _MAX_EXPIRY_DIGITS and text.isascii() and text.isdigit()
