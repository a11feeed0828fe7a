"""Deepgram: live transcription (``/v1/listen`` WebSocket) and Aura speech synthesis
(``/v1/speak``) through the official SDK. Settings come from ``DEEPGRAM_*`` variables
(see docs/speech-providers.md)."""

from parley_speech.deepgram.recognizer import DeepgramRecognizer
from parley_speech.deepgram.settings import DeepgramSettings, DeepgramSettingsError
from parley_speech.deepgram.synthesizer import AURA_VOICES, DeepgramSynthesizer

__all__ = [
    "AURA_VOICES",
    "DeepgramRecognizer",
    "DeepgramSettings",
    "DeepgramSettingsError",
    "DeepgramSynthesizer",
]
