"""Amazon's streaming SDK (``amazon-transcribe``), imported in one place, and the
clients the provider makes with it.

The SDK offers no setting for the TLS trust store or for closing its HTTP/2 connection,
so those two reach into its session manager, here and nowhere else. The package is
frozen at 0.6 (AWS replaced it with ``aws-sdk-transcribe-streaming``, which needs Python
3.12), so the attributes it keeps stay where they are; the version is pinned below 0.7.
"""

from __future__ import annotations

from pathlib import Path

from parley_speech.aws.settings import AwsTranscribeSettings

try:
    from amazon_transcribe import AWSCRTEventLoop
    from amazon_transcribe import exceptions as sdk_errors
    from amazon_transcribe.auth import (
        AwsCrtCredentialResolver,
        CredentialResolver,
        StaticCredentialResolver,
    )
    from amazon_transcribe.client import TranscribeStreamingClient
    from amazon_transcribe.endpoints import StaticEndpointResolver
    from amazon_transcribe.model import (
        Item,
        Result,
        StartStreamTranscriptionEventStream,
        TranscriptEvent,
    )
    from awscrt import io
    from awscrt.exceptions import AwsCrtError
except ImportError as exc:  # pragma: no cover - only without the dependency
    raise ImportError(
        "the aws-transcribe speech provider needs the amazon-transcribe package, which "
        "parley-speech depends on: reinstall it with its dependencies (uv sync, or "
        "pip install parley-speech), or choose another provider (PARLEY_STT)"
    ) from exc

__all__ = [
    "AwsCrtError",
    "Item",
    "Result",
    "StartStreamTranscriptionEventStream",
    "TranscribeClients",
    "TranscribeStreamingClient",
    "TranscriptEvent",
    "close_connections",
    "sdk_errors",
]


def _trusting(ca_bundle: Path) -> io.ClientTlsContext:
    options = io.TlsContextOptions()
    options.override_default_trust_store_from_path(ca_filepath=str(ca_bundle))
    return io.ClientTlsContext(options)


class TranscribeClients:
    """Makes one SDK client per stream. A client puts every stream it starts on one
    HTTP/2 connection, which AWS's JavaScript SDK found unreliable for concurrent
    Transcribe streams; a client (and a connection) per call's stream also lets a stream
    be closed on its own. The credentials and the TLS context are shared by all."""

    def __init__(self, settings: AwsTranscribeSettings) -> None:
        settings.check()
        self._region = settings.region
        self._endpoint = settings.endpoint_url
        static = settings.static_credentials()
        self._credentials: CredentialResolver = (
            StaticCredentialResolver(*static)
            if static
            else AwsCrtCredentialResolver(AWSCRTEventLoop().bootstrap)  # type: ignore[no-untyped-call]
        )
        self._tls = _trusting(settings.ca_bundle) if settings.ca_bundle else None

    def new(self) -> TranscribeStreamingClient:
        client = TranscribeStreamingClient(
            region=self._region,
            endpoint_resolver=StaticEndpointResolver(self._endpoint) if self._endpoint else None,  # type: ignore[no-untyped-call]
            credential_resolver=self._credentials,
        )
        if self._tls is not None:
            client._session_manager._tls_ctx = self._tls
        return client


def close_connections(client: TranscribeStreamingClient) -> None:
    """Close the client's HTTP/2 connection now, ending any stream on it."""
    for connection in list(client._session_manager._connections.values()):
        connection.close()
