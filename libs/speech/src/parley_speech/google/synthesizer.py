"""Google Cloud Text-to-Speech behind the synthesis interface.

``SynthesizeSpeech`` returns a whole text at once, as mu-law 8 kHz inside a WAV header;
so the text is requested sentence by sentence (the next while the last is played), each
header is checked and stripped, and the audio is yielded in pieces so the tts worker
starts publishing frames at once. (``StreamingSynthesize`` only serves Chirp 3
HD voices, so it is not used.)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator

from google.api_core import exceptions as api
from google.cloud.texttospeech_v1 import (
    AudioConfig,
    AudioEncoding,
    SynthesisInput,
    TextToSpeechAsyncClient,
    VoiceSelectionParams,
)
from parley_audio import MULAW_8K, AudioFormatError, strip_wav_header, validate_audio

from parley_speech.errors import SpeechProviderError
from parley_speech.google.clients import tts_client
from parley_speech.google.errors import PROVIDER, provider_error
from parley_speech.google.settings import GoogleSpeechSettings
from parley_speech.google.text_pieces import text_pieces
from parley_speech.google.voices import KNOWN_VOICES, voice_language
from parley_speech.synthesis import SynthesisRequest, choose_voice

log = logging.getLogger(__name__)

CHUNK_BYTES = 3_200
"""400 ms of mu-law 8 kHz audio per chunk."""


class GoogleSynthesizer:
    name = PROVIDER
    output_format = MULAW_8K

    def __init__(self, settings: GoogleSpeechSettings | None = None) -> None:
        self.settings = settings or GoogleSpeechSettings()
        self.default_voice = self.settings.voice
        self._voices = KNOWN_VOICES | {self.default_voice}
        self._client: TextToSpeechAsyncClient | None = None
        self._client_lock = asyncio.Lock()

    def voices(self) -> frozenset[str]:
        return self._voices

    async def stream(self, request: SynthesisRequest) -> AsyncGenerator[bytes, None]:
        client = await self._get_client()
        voice = choose_voice(self, request.voice).voice
        pieces = text_pieces(request.text)
        if not pieces:
            return

        def synthesis(piece: str) -> asyncio.Task[bytes]:
            task = asyncio.ensure_future(self._synthesize(client, piece, voice, request.speed))
            task.add_done_callback(_retrieve_outcome)
            return task

        # Each sentence is requested while the one before it is being played.
        current = synthesis(pieces[0])
        try:
            for index in range(len(pieces)):
                audio = await current
                if index + 1 < len(pieces):
                    current = synthesis(pieces[index + 1])
                for start in range(0, len(audio), CHUNK_BYTES):
                    yield audio[start : start + CHUNK_BYTES]
        finally:
            current.cancel()

    async def _synthesize(
        self, client: TextToSpeechAsyncClient, text: str, voice: str, speed: float
    ) -> bytes:
        """One request: the audio samples, the WAV header checked and stripped."""
        try:
            response = await client.synthesize_speech(
                input=SynthesisInput(text=text),
                voice=VoiceSelectionParams(
                    language_code=voice_language(voice, self.settings.language), name=voice
                ),
                audio_config=AudioConfig(
                    audio_encoding=AudioEncoding.MULAW,
                    sample_rate_hertz=MULAW_8K.sample_rate,
                    speaking_rate=speed,
                ),
                retry=None,
                timeout=self.settings.tts_timeout_s,
            )
        except api.GoogleAPICallError as exc:
            raise provider_error(exc) from exc
        return _mulaw_samples(response.audio_content)

    async def _get_client(self) -> TextToSpeechAsyncClient:
        async with self._client_lock:
            if self._client is None:
                self._client = await tts_client(self.settings.tts_endpoint)
                await self._load_voices(self._client)
            return self._client

    async def _load_voices(self, client: TextToSpeechAsyncClient) -> None:
        """Google's voices for the language, once; the known list if it cannot say."""
        try:
            response = await client.list_voices(
                language_code=self.settings.language,
                retry=None,
                timeout=self.settings.tts_timeout_s,
            )
        except api.GoogleAPICallError as exc:
            log.warning(
                "could not list Google voices; using the known list",
                extra={"event": "tts.voices_unavailable", "provider": PROVIDER, "error": str(exc)},
            )
            return
        if response.voices:
            self._voices = frozenset(v.name for v in response.voices) | {self.default_voice}

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.transport.close()  # type: ignore[no-untyped-call]
            self._client = None


def _retrieve_outcome(task: asyncio.Task[bytes]) -> None:
    """A prefetched sentence nobody waits for any more must not log an unseen error."""
    if not task.cancelled():
        task.exception()


def _mulaw_samples(audio: bytes) -> bytes:
    """The samples of Google's WAV answer, after checking it is mu-law 8 kHz."""
    try:
        validate_audio(audio, MULAW_8K)
        return strip_wav_header(audio)
    except AudioFormatError as exc:
        raise SpeechProviderError(PROVIDER, f"unexpected audio from Google: {exc}") from exc
