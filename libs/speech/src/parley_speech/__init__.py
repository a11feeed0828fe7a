"""Speech engines behind shared interfaces: streaming STT and TTS."""

from parley_speech.piper_tts import PiperSynthesizer
from parley_speech.pocketsphinx_stt import (
    PocketsphinxRecognizer,
    PocketsphinxRecognizerFactory,
    transcribe_recording,
)
from parley_speech.providers import AVAILABLE_PROVIDERS, LOCAL_PROVIDER, check_speech_provider
from parley_speech.stt import (
    EndpointingConfig,
    FinalTranscript,
    InterimTranscript,
    RecognizerEvent,
    RecognizerFactory,
    SpeechStarted,
    StreamingRecognizer,
)
from parley_speech.tts import Synthesizer

__all__ = [
    "AVAILABLE_PROVIDERS",
    "LOCAL_PROVIDER",
    "EndpointingConfig",
    "FinalTranscript",
    "InterimTranscript",
    "PiperSynthesizer",
    "PocketsphinxRecognizer",
    "PocketsphinxRecognizerFactory",
    "RecognizerEvent",
    "RecognizerFactory",
    "SpeechStarted",
    "StreamingRecognizer",
    "Synthesizer",
    "check_speech_provider",
    "transcribe_recording",
]
