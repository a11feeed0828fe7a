"""Google Cloud Speech-to-Text (streaming, v1) and Text-to-Speech as speech providers."""

from parley_speech.google.errors import PROVIDER
from parley_speech.google.recognizer import GoogleRecognizer
from parley_speech.google.settings import GoogleSpeechSettings
from parley_speech.google.synthesizer import GoogleSynthesizer

__all__ = ["PROVIDER", "GoogleRecognizer", "GoogleSpeechSettings", "GoogleSynthesizer"]
