import pytest
from parley_speech import EndpointingConfig, ProviderAuthError, SynthesisRequest
from parley_speech.google import GoogleRecognizer, GoogleSpeechSettings, GoogleSynthesizer


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> GoogleSpeechSettings:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/parley-key.json")
    monkeypatch.delenv("PARLEY_GOOGLE_SPEECH_ENDPOINT", raising=False)
    monkeypatch.delenv("PARLEY_GOOGLE_TTS_ENDPOINT", raising=False)
    return GoogleSpeechSettings()


async def test_recognition_without_credentials_says_which_variable_to_set(
    no_credentials: GoogleSpeechSettings,
) -> None:
    recognizer = GoogleRecognizer(no_credentials)
    with pytest.raises(ProviderAuthError, match="GOOGLE_APPLICATION_CREDENTIALS"):
        await recognizer.open(EndpointingConfig())
    await recognizer.aclose()


async def test_synthesis_without_credentials_says_which_variable_to_set(
    no_credentials: GoogleSpeechSettings,
) -> None:
    synthesizer = GoogleSynthesizer(no_credentials)
    request = SynthesisRequest("Hello.", synthesizer.default_voice)
    with pytest.raises(ProviderAuthError, match="GOOGLE_APPLICATION_CREDENTIALS"):
        await anext(synthesizer.stream(request))
    await synthesizer.aclose()
