"""Speech providers behind shared interfaces: streaming STT and TTS."""

from parley_speech.backoff import ReconnectPolicy
from parley_speech.errors import (
    ProviderAuthError,
    ProviderConnectionLost,
    ProviderRateLimited,
    ProviderUnavailable,
    SpeechProviderError,
)
from parley_speech.failover import FailoverRecognizer, FailoverSynthesizer
from parley_speech.local_recognizer import LOCAL_PROVIDER, LocalRecognizer
from parley_speech.local_synthesizer import LocalSynthesizer
from parley_speech.piper_tts import PiperSynthesizer
from parley_speech.pocketsphinx_stt import (
    PocketsphinxRecognizer,
    PocketsphinxRecognizerFactory,
    transcribe_recording,
)
from parley_speech.providers import (
    AVAILABLE_PROVIDERS,
    build_recognizer,
    build_synthesizer,
    check_speech_provider,
)
from parley_speech.recognition import RecognitionStream, SpeechRecognizer
from parley_speech.resilient_stream import RecognitionConnection, ResilientRecognitionStream
from parley_speech.retrying_synthesizer import RetryingSynthesizer
from parley_speech.stt import (
    EndpointingConfig,
    FinalTranscript,
    InterimTranscript,
    RecognizerEvent,
    RecognizerFactory,
    SpeechStarted,
    StreamingRecognizer,
)
from parley_speech.synthesis import (
    SpeechSynthesizer,
    SynthesisRequest,
    VoiceChoice,
    choose_voice,
    mulaw_frames,
)
from parley_speech.text_chunks import BoundedText, TextLimits, bound_text, split_text
from parley_speech.tts import Synthesizer
from parley_speech.whisper import WHISPER_PROVIDER, WhisperRecognizer

__all__ = [
    "AVAILABLE_PROVIDERS",
    "LOCAL_PROVIDER",
    "WHISPER_PROVIDER",
    "BoundedText",
    "EndpointingConfig",
    "FailoverRecognizer",
    "FailoverSynthesizer",
    "FinalTranscript",
    "InterimTranscript",
    "LocalRecognizer",
    "LocalSynthesizer",
    "PiperSynthesizer",
    "PocketsphinxRecognizer",
    "PocketsphinxRecognizerFactory",
    "ProviderAuthError",
    "ProviderConnectionLost",
    "ProviderRateLimited",
    "ProviderUnavailable",
    "RecognitionConnection",
    "RecognitionStream",
    "RecognizerEvent",
    "RecognizerFactory",
    "ReconnectPolicy",
    "ResilientRecognitionStream",
    "RetryingSynthesizer",
    "SpeechProviderError",
    "SpeechRecognizer",
    "SpeechStarted",
    "SpeechSynthesizer",
    "StreamingRecognizer",
    "SynthesisRequest",
    "Synthesizer",
    "TextLimits",
    "VoiceChoice",
    "WhisperRecognizer",
    "bound_text",
    "build_recognizer",
    "build_synthesizer",
    "check_speech_provider",
    "choose_voice",
    "mulaw_frames",
    "split_text",
    "transcribe_recording",
]
