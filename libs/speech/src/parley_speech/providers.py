"""Which speech providers exist, and building them from the environment.

``PARLEY_STT`` / ``PARLEY_TTS`` name the deployment's default provider; a session's
``sttProvider`` / ``ttsProvider`` picks another one for a single call. Every provider
reads its credentials and endpoint from its own environment variables (see
docs/speech-providers.md); API keys never come from anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable

from parley_speech.local_recognizer import LOCAL_PROVIDER, LocalRecognizer
from parley_speech.local_synthesizer import LocalSynthesizer
from parley_speech.piper_tts import PiperSynthesizer
from parley_speech.recognition import SpeechRecognizer
from parley_speech.retrying_synthesizer import RetryingSynthesizer
from parley_speech.synthesis import SpeechSynthesizer
from parley_speech.whisper.model import WHISPER_PROVIDER


def _local_synthesizer() -> SpeechSynthesizer:
    return LocalSynthesizer(PiperSynthesizer())


def _whisper_recognizer() -> SpeechRecognizer:
    from parley_speech.whisper import WhisperRecognizer

    return WhisperRecognizer()


def _google_recognizer() -> SpeechRecognizer:
    from parley_speech.google import GoogleRecognizer

    return GoogleRecognizer()


def _google_synthesizer() -> SpeechSynthesizer:
    from parley_speech.google import GoogleSynthesizer

    return RetryingSynthesizer(GoogleSynthesizer())


def _deepgram_recognizer() -> SpeechRecognizer:
    from parley_speech.deepgram import DeepgramRecognizer

    return DeepgramRecognizer()


def _aws_transcribe_recognizer() -> SpeechRecognizer:
    from parley_speech.aws import AwsTranscribeRecognizer

    return AwsTranscribeRecognizer()


def _deepgram_synthesizer() -> SpeechSynthesizer:
    from parley_speech.deepgram import DeepgramSynthesizer

    return RetryingSynthesizer(DeepgramSynthesizer())


# Cloud providers and Whisper import their libraries only when chosen. ``local`` is
# pocketsphinx: fast and streaming, but it mishears about half the words of real callers
# on a phone line; ``whisper`` hears about nine in ten right for more CPU and a decode
# after each utterance.
RECOGNIZERS: dict[str, Callable[[], SpeechRecognizer]] = {
    LOCAL_PROVIDER: LocalRecognizer,
    WHISPER_PROVIDER: _whisper_recognizer,
    "google-cloud": _google_recognizer,
    "deepgram": _deepgram_recognizer,
    "aws-transcribe": _aws_transcribe_recognizer,
}
SYNTHESIZERS: dict[str, Callable[[], SpeechSynthesizer]] = {
    LOCAL_PROVIDER: _local_synthesizer,
    "google-cloud": _google_synthesizer,
    "deepgram": _deepgram_synthesizer,
}
AVAILABLE_PROVIDERS: tuple[str, ...] = tuple(sorted(RECOGNIZERS.keys() | SYNTHESIZERS.keys()))


def check_speech_provider(setting: str, value: str) -> str:
    """The provider name, normalised; ``ValueError`` naming the setting if unknown."""
    name = value.strip().lower()
    if name in AVAILABLE_PROVIDERS:
        return name
    available = ", ".join(AVAILABLE_PROVIDERS)
    raise ValueError(
        f"{setting}={value!r} is not an available speech provider (available: {available}); "
        f"unset {setting} or set it to one of those"
    )


def build_recognizer(name: str) -> SpeechRecognizer:
    return RECOGNIZERS[check_speech_provider("stt provider", name)]()


def build_synthesizer(name: str) -> SpeechSynthesizer:
    return SYNTHESIZERS[check_speech_provider("tts provider", name)]()
