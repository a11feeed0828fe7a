"""Google Cloud speech settings, read from the environment (``PARLEY_GOOGLE_*``).

Credentials are Application Default Credentials (``GOOGLE_APPLICATION_CREDENTIALS`` or
the workload's service account); nothing here holds a key. An endpoint override points
the provider at a local plaintext fake instead, with no credentials at all.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class GoogleSpeechSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_GOOGLE_", extra="ignore")

    speech_endpoint: str | None = None
    """``host:port`` of a plaintext Speech-to-Text fake; unset = speech.googleapis.com."""
    tts_endpoint: str | None = None
    """``host:port`` of a plaintext Text-to-Speech fake; unset = texttospeech.googleapis.com."""
    language: str = "en-US"
    stt_model: str = "phone_call"
    """Recognition model; ``phone_call`` is trained on 8 kHz telephone audio."""
    stt_use_enhanced: bool = True
    """The enhanced variant of ``phone_call`` (ignored by models without one)."""
    stt_punctuation: bool = True
    voice: str = "en-US-Neural2-F"
    """Default voice, used when a call names none or one Google does not have."""
    max_stream_s: float = Field(default=290.0, gt=0)
    """Rotate each recognition stream before Google's ~305 s per-stream limit."""
    tts_timeout_s: float = Field(default=10.0, gt=0)
