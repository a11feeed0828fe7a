"""Transcribe's failures as the speech interfaces' provider errors: what reconnecting can
fix, what waiting can, and what only the operator can."""

from __future__ import annotations

from parley_speech.aws.sdk import AwsCrtError
from parley_speech.aws.sdk import sdk_errors as sdk
from parley_speech.errors import (
    ProviderAuthError,
    ProviderConnectionLost,
    ProviderRateLimited,
    SpeechProviderError,
)

PROVIDER = "aws-transcribe"
CREDENTIALS_HINT = (
    "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the role's credentials), "
    "AWS_REGION, and that the identity may call transcribe:StartStreamTranscription"
)
_LOST = (
    sdk.InternalFailureException,
    sdk.ServiceUnavailableException,
    # Another stream started with this one's session id; a new stream carries on.
    sdk.ConflictException,
)


def _message(exc: sdk.ServiceException) -> str:
    return str(getattr(exc, "message", "") or type(exc).__name__)


def _service_error(exc: sdk.ServiceException, what: str) -> SpeechProviderError:
    detail = f"{type(exc).__name__}: {_message(exc)}"
    if isinstance(exc, sdk.UnknownServiceException):
        detail = f"{exc.error_code}: {exc.message} (HTTP {exc.status_code})"
        if exc.status_code in (401, 403):
            return ProviderAuthError(
                PROVIDER, f"{what} refused our credentials ({detail}); {CREDENTIALS_HINT}"
            )
        if exc.status_code == 429:
            return ProviderRateLimited(PROVIDER, f"{what} throttled ({detail})")
        if exc.status_code >= 500:
            return ProviderConnectionLost(PROVIDER, f"{what} failed ({detail})")
        return SpeechProviderError(PROVIDER, f"{what} rejected the request ({detail})")
    if isinstance(exc, sdk.LimitExceededException):
        return ProviderRateLimited(
            PROVIDER,
            f"{what} over a Transcribe limit ({detail}); concurrent streams are "
            "limited per account and region: ask AWS for a higher quota if this persists",
        )
    if isinstance(exc, _LOST):
        return ProviderConnectionLost(PROVIDER, f"{what} failed ({detail})")
    if isinstance(exc, sdk.BadRequestException) and "timed out" in _message(exc):
        # No audio for 15 s ends the stream; a new one (with the audio replayed) carries on.
        return ProviderConnectionLost(PROVIDER, f"{what} ended ({detail})")
    return SpeechProviderError(
        PROVIDER, f"{what} rejected the request ({detail}); check PARLEY_AWS_TRANSCRIBE_LANGUAGE"
    )


def provider_error(exc: Exception, what: str) -> SpeechProviderError:
    """``exc`` (from the SDK, the CRT or a timeout) as the provider error it means."""
    if isinstance(exc, sdk.ServiceException):
        return _service_error(exc, what)
    if isinstance(exc, AwsCrtError):
        if "CREDENTIALS" in exc.name:
            return ProviderAuthError(
                PROVIDER, f"{what}: no AWS credentials ({exc.name}); {CREDENTIALS_HINT}"
            )
        hint = (
            "; check that AWS_CA_BUNDLE trusts the endpoint's certificate"
            if "TLS" in exc.name
            else ""
        )
        return ProviderConnectionLost(PROVIDER, f"{what} failed: {exc.name}{hint}")
    if isinstance(exc, sdk.HTTPException):
        return ProviderConnectionLost(
            PROVIDER,
            f"{what} failed: {exc}; the endpoint must speak HTTP/2 over TLS "
            "(AWS_ENDPOINT_URL_TRANSCRIBE_STREAMING)",
        )
    if isinstance(exc, TimeoutError):
        return ProviderConnectionLost(PROVIDER, f"{what} timed out")
    return ProviderConnectionLost(PROVIDER, f"{what} failed: {type(exc).__name__}")


SDK_ERRORS = (sdk.SDKError, AwsCrtError, OSError)
"""What the SDK and its HTTP client raise (``OSError`` takes in timeouts, and the SDK's
request body refusing writes once its stream has ended)."""
