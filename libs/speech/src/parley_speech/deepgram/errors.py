"""Deepgram's failures as the speech interfaces' provider errors: what is worth retrying
and what is not."""

from __future__ import annotations

import httpx
import websockets
from deepgram.core.api_error import ApiError

from parley_speech.errors import (
    ProviderAuthError,
    ProviderConnectionLost,
    ProviderRateLimited,
    SpeechProviderError,
)

PROVIDER = "deepgram"


def retry_after_s(headers: object) -> float | None:
    """The ``retry-after`` header in seconds (Deepgram sends whole seconds; a fractional
    value is accepted), or None if absent or an HTTP date."""
    if headers is None or not hasattr(headers, "get"):
        return None
    value = headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _handshake_headers(exc: ApiError) -> object:
    """The SDK replaces a refused WebSocket handshake with an ``ApiError`` carrying the
    *request* headers; the response's (``retry-after``) are on the exception it replaced."""
    original = exc.__context__
    if isinstance(original, websockets.InvalidHandshake) and hasattr(original, "headers"):
        return original.headers
    return exc.headers


def from_api_error(exc: ApiError, what: str, handshake: bool = False) -> SpeechProviderError:
    status = exc.status_code
    if status in (401, 403):
        return ProviderAuthError(
            PROVIDER,
            f"{what} refused our credentials (HTTP {status}): check DEEPGRAM_API_KEY "
            "and the key's project permissions",
        )
    if status == 429:
        headers = _handshake_headers(exc) if handshake else exc.headers
        return ProviderRateLimited(
            PROVIDER, f"{what} rate-limited (HTTP 429)", retry_after_s(headers)
        )
    if status is not None and 400 <= status < 500 and status != 408:
        return SpeechProviderError(PROVIDER, f"{what} rejected the request (HTTP {status})")
    return ProviderConnectionLost(PROVIDER, f"{what} failed (HTTP {status})")


def from_transport_error(exc: BaseException, what: str) -> ProviderConnectionLost:
    if isinstance(exc, websockets.ConnectionClosed):
        frame = exc.rcvd
        detail = f"closed with {frame.code} {frame.reason}" if frame else "dropped"
        return ProviderConnectionLost(PROVIDER, f"{what} {detail}".strip())
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return ProviderConnectionLost(PROVIDER, f"{what} timed out")
    return ProviderConnectionLost(PROVIDER, f"{what} failed: {type(exc).__name__}")


TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    websockets.WebSocketException,
    httpx.TransportError,
)
"""Network failures (refused, reset, dropped, timed out): reconnecting may help."""
