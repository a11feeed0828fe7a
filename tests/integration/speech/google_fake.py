"""The Google Cloud provider, through Google's client libraries, against the local
Google Speech/TTS fake (plaintext gRPC on loopback)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from parley_devstack.fakes.google_speech import FakeGoogleSpeech
from parley_speech import ReconnectPolicy, RetryingSynthesizer
from parley_speech.google import GoogleRecognizer, GoogleSpeechSettings, GoogleSynthesizer

if TYPE_CHECKING:
    from tests.integration.speech.providers_under_test import ProviderUnderTest

FAST_RETRIES = ReconnectPolicy(delays_s=(0.05, 0.1, 0.2, 0.2, 0.2), rate_limit_base_s=5.0)
"""Quick reconnects; a rate-limit back-off of 5 s unless Google's RetryInfo says less, so
a test that is done in well under 5 s shows the RetryInfo was used."""


def settings_for(fake: FakeGoogleSpeech, **overrides: object) -> GoogleSpeechSettings:
    values: dict[str, object] = {"speech_endpoint": fake.endpoint, "tts_endpoint": fake.endpoint}
    return GoogleSpeechSettings.model_validate(values | overrides)


@asynccontextmanager
async def google_provider() -> AsyncIterator[ProviderUnderTest]:
    """The contract suite's view: the fake hears the audio, the script says the words."""
    from tests.integration.speech.providers_under_test import ProviderUnderTest

    async with FakeGoogleSpeech() as fake:
        recognizer = GoogleRecognizer(settings_for(fake))
        synthesizer = RetryingSynthesizer(GoogleSynthesizer(settings_for(fake)), FAST_RETRIES)

        def script(lines: list[str]) -> None:
            fake.script.clear()
            fake.script.extend(lines)

        try:
            yield ProviderUnderTest("google-cloud", recognizer, synthesizer, script)
        finally:
            await recognizer.aclose()
            await synthesizer.aclose()
