"""Google's async clients, either on Application Default Credentials or, when an
endpoint override is set, on a plaintext channel to a local fake (anonymous: a
transport given a ready channel never looks for credentials).

Clients are built inside the running event loop: a ``grpc.aio`` channel belongs to the
loop that created it."""

from __future__ import annotations

import asyncio

import grpc
from google.auth import default as default_credentials
from google.auth.credentials import Credentials
from google.auth.exceptions import DefaultCredentialsError
from google.cloud.speech_v1 import SpeechAsyncClient
from google.cloud.speech_v1.services.speech.transports import SpeechGrpcAsyncIOTransport
from google.cloud.texttospeech_v1 import TextToSpeechAsyncClient
from google.cloud.texttospeech_v1.services.text_to_speech.transports import (
    TextToSpeechGrpcAsyncIOTransport,
)

from parley_speech.errors import ProviderAuthError
from parley_speech.google.errors import PROVIDER

_SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)


async def _credentials() -> Credentials:
    """ADC, looked up off the event loop (it may read files or probe a metadata server)."""
    try:
        credentials, _ = await asyncio.to_thread(default_credentials, scopes=_SCOPES)
    except DefaultCredentialsError as exc:
        raise ProviderAuthError(
            PROVIDER,
            "no Google credentials: set GOOGLE_APPLICATION_CREDENTIALS to a service account "
            f"key file or run with a workload identity ({exc})",
        ) from exc
    return credentials


async def speech_client(endpoint: str | None) -> SpeechAsyncClient:
    if endpoint:
        channel = grpc.aio.insecure_channel(endpoint)
        return SpeechAsyncClient(transport=SpeechGrpcAsyncIOTransport(channel=channel))
    return SpeechAsyncClient(credentials=await _credentials())


async def tts_client(endpoint: str | None) -> TextToSpeechAsyncClient:
    if endpoint:
        channel = grpc.aio.insecure_channel(endpoint)
        return TextToSpeechAsyncClient(transport=TextToSpeechGrpcAsyncIOTransport(channel=channel))
    return TextToSpeechAsyncClient(credentials=await _credentials())
