"""Whisper tiny.en (faster-whisper, CTranslate2 int8 on the CPU): the accurate offline
recogniser. Imported only when chosen, so workers that never use it never load it."""

from parley_speech.whisper.decoding import (
    Decoded,
    DecodePool,
    WhisperDecoder,
    pcm16_to_float,
    telephone_to_float,
)
from parley_speech.whisper.model import (
    MODEL_SHA256,
    WHISPER_PROVIDER,
    ModelShape,
    WhisperModelMismatch,
    model_directory,
    shared_model,
    verify_model,
)
from parley_speech.whisper.recognizer import WhisperRecognitionStream, WhisperRecognizer
from parley_speech.whisper.settings import WhisperSettings

__all__ = [
    "MODEL_SHA256",
    "WHISPER_PROVIDER",
    "DecodePool",
    "Decoded",
    "ModelShape",
    "WhisperDecoder",
    "WhisperModelMismatch",
    "WhisperRecognitionStream",
    "WhisperRecognizer",
    "WhisperSettings",
    "model_directory",
    "pcm16_to_float",
    "shared_model",
    "telephone_to_float",
    "verify_model",
]
