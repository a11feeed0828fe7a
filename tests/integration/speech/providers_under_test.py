"""The speech providers the contract suite runs against: the offline engines as they
are, cloud providers through their vendors' SDKs against local protocol fakes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

from parley_speech import LocalRecognizer, SpeechRecognizer, SpeechSynthesizer
from parley_speech.providers import SYNTHESIZERS
from parley_speech.whisper import WHISPER_PROVIDER, WhisperRecognizer, WhisperSettings

from tests.integration.speech.aws_transcribe_fake import aws_transcribe_provider
from tests.integration.speech.deepgram_fake import deepgram_provider
from tests.integration.speech.google_fake import google_provider


@dataclass
class ProviderUnderTest:
    name: str
    recognizer: SpeechRecognizer
    synthesizer: SpeechSynthesizer | None
    """None for a provider that only recognises."""
    script: Callable[[list[str]], None]
    """Tell a fake what the caller is going to say (the offline engine listens itself)."""


def _no_script(_: list[str]) -> None:
    return None


@asynccontextmanager
async def local_provider() -> AsyncIterator[ProviderUnderTest]:
    recognizer = LocalRecognizer()
    synthesizer = SYNTHESIZERS["local"]()
    try:
        yield ProviderUnderTest("local", recognizer, synthesizer, _no_script)
    finally:
        await recognizer.aclose()
        await synthesizer.aclose()


@asynccontextmanager
async def whisper_provider() -> AsyncIterator[ProviderUnderTest]:
    # Interim transcripts are off by default (each is a whole decode); the contract
    # holds with them on.
    recognizer = WhisperRecognizer(WhisperSettings(interim_interval_ms=600))
    try:
        yield ProviderUnderTest(WHISPER_PROVIDER, recognizer, None, _no_script)
    finally:
        await recognizer.aclose()


PROVIDERS: dict[str, Callable[[], AbstractAsyncContextManager[ProviderUnderTest]]] = {
    "local": local_provider,
    WHISPER_PROVIDER: whisper_provider,
    "deepgram": deepgram_provider,
    "google-cloud": google_provider,
    "aws-transcribe": aws_transcribe_provider,
}
