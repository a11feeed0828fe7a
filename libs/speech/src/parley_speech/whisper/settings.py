"""The Whisper recogniser's settings, read from ``PARLEY_STT_WHISPER_*``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from parley_speech.whisper.model import ModelShape


class WhisperSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_STT_WHISPER_", extra="ignore")

    threads: int = Field(
        default=1,
        ge=1,
        description="CPU threads one decode uses. More shortens each decode, but on a "
        "busy worker the cores are better spent on other calls' decodes.",
    )
    decoders: int = Field(
        default=2,
        ge=1,
        description="Decodes the worker runs at once (one model, shared); the rest wait "
        "their turn. About threads x decoders cores are kept busy at peak.",
    )
    interim_interval_ms: int = Field(
        default=0,
        ge=0,
        description="Decode the utterance so far this often while the caller speaks, for "
        "interim transcripts (each costs a whole decode, and is skipped when every "
        "decoder is busy). 0 = no interim transcripts.",
    )

    def model_shape(self) -> ModelShape:
        return ModelShape(threads=self.threads, decoders=self.decoders)
