"""Google API errors as the provider-neutral errors the resilience layer acts on."""

from __future__ import annotations

from datetime import timedelta

from google.api_core import exceptions as api
from google.rpc import error_details_pb2

from parley_speech.errors import (
    ProviderAuthError,
    ProviderConnectionLost,
    ProviderRateLimited,
    SpeechProviderError,
)

PROVIDER = "google-cloud"

_LOST = (
    api.ServiceUnavailable,
    api.DeadlineExceeded,
    api.Aborted,
    api.InternalServerError,
    api.Unknown,
    api.Cancelled,
    # The per-stream time limit ("Exceeded maximum allowed stream duration") and the
    # audio timeout: a fresh stream, with the unconfirmed audio replayed, carries on.
    api.OutOfRange,
)


def provider_error(exc: api.GoogleAPICallError) -> SpeechProviderError:
    status = exc.grpc_status_code
    message = f"{status.name if status else exc.code}: {exc.message}"
    if isinstance(exc, api.Unauthenticated | api.PermissionDenied):
        return ProviderAuthError(
            PROVIDER,
            f"{message}; check GOOGLE_APPLICATION_CREDENTIALS and that the service account "
            "may use Speech-to-Text / Text-to-Speech",
        )
    if isinstance(exc, api.ResourceExhausted):
        return ProviderRateLimited(PROVIDER, message, retry_delay_s(exc))
    if isinstance(exc, _LOST):
        return ProviderConnectionLost(PROVIDER, message)
    return SpeechProviderError(PROVIDER, message)


def retry_delay_s(exc: api.GoogleAPICallError) -> float | None:
    """The wait a ``google.rpc.RetryInfo`` detail asks for, if the error carries one."""
    for detail in exc.details or ():
        if isinstance(detail, error_details_pb2.RetryInfo) and detail.HasField("retry_delay"):
            delay: timedelta = detail.retry_delay.ToTimedelta()
            return delay.total_seconds()
    return None
