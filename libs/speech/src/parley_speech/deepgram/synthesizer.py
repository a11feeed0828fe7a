"""Deepgram Aura behind the ``SpeechSynthesizer`` interface, over the REST ``/v1/speak``
endpoint streamed by the SDK: headerless mu-law 8 kHz (``container=none``), so the audio
goes to the caller as is. Closing the stream early closes the HTTP response, which stops
Deepgram sending the rest."""

from __future__ import annotations

import contextlib
import typing
from collections.abc import AsyncGenerator

import httpx
from deepgram.core.api_error import ApiError
from deepgram.speak.v1.audio.types.audio_generate_request_model import AudioGenerateRequestModel
from parley_audio import MULAW_8K, AudioFormat

from parley_speech.deepgram.errors import (
    PROVIDER,
    TRANSPORT_ERRORS,
    from_api_error,
    from_transport_error,
)
from parley_speech.deepgram.settings import DeepgramSettings, deepgram_client
from parley_speech.synthesis import SynthesisRequest

AURA_VOICES: frozenset[str] = frozenset(
    name for name in typing.get_args(typing.get_args(AudioGenerateRequestModel)[0])
)
"""The Aura voices the SDK knows (``aura-*`` and ``aura-2-*``, several languages)."""
MIN_SPEED, MAX_SPEED = 0.7, 1.5
"""Aura's accepted speaking-rate range; requests outside it are clamped."""


class DeepgramSynthesizer:
    name = PROVIDER
    output_format: AudioFormat = MULAW_8K

    def __init__(self, settings: DeepgramSettings | None = None) -> None:
        self.settings = settings or DeepgramSettings()
        self.settings.require_api_key()
        self.default_voice = self.settings.voice
        timeout = httpx.Timeout(self.settings.timeout_s)
        self._http = httpx.AsyncClient(timeout=timeout)
        self._client = deepgram_client(self.settings, self._http)

    def voices(self) -> frozenset[str]:
        return AURA_VOICES | {self.default_voice}

    async def stream(self, request: SynthesisRequest) -> AsyncGenerator[bytes, None]:
        speed = None if request.speed == 1.0 else min(MAX_SPEED, max(MIN_SPEED, request.speed))
        chunks = self._client.speak.v1.audio.generate(
            text=request.text,
            model=request.voice,
            encoding="mulaw",
            sample_rate=8000,
            container="none",
            speed=speed,
        )
        try:
            async with contextlib.aclosing(chunks):
                async for chunk in chunks:
                    if chunk:
                        yield chunk
        except ApiError as exc:
            raise from_api_error(exc, "speech synthesis") from exc
        except TRANSPORT_ERRORS as exc:
            raise from_transport_error(exc, "speech synthesis") from exc

    async def aclose(self) -> None:
        await self._http.aclose()
