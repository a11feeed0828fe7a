from __future__ import annotations

from typing import Self

from parley_bus import KafkaSettings
from parley_runtime import ServiceSettings
from parley_speech import LOCAL_PROVIDER, TextLimits, check_speech_provider
from parley_speech.circuit_settings import ProviderCircuitSettings
from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict


class TtsSettings(ServiceSettings, KafkaSettings, ProviderCircuitSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_TTS_", env_file=".env", extra="ignore")

    provider: str = Field(
        default=LOCAL_PROVIDER,
        validation_alias="PARLEY_TTS",
        description="Default speech synthesis provider (local is piper); a call may ask "
        "for another one.",
    )
    fallback_provider: str | None = Field(
        default=None,
        validation_alias="PARLEY_TTS_FALLBACK",
        description="Provider that speaks when the chosen one keeps failing (its circuit "
        "opens); unset = no failover.",
    )
    voice: str | None = Field(
        default=None,
        description="Default voice for the provider; unset or unknown = the provider's own "
        "default (an unknown voice is logged as a warning).",
    )
    port: int = 8083
    consumer_group: str = "parley-tts"
    voice_model: str | None = Field(
        default=None,
        description="Path to a piper .onnx voice; default: the bundled en_US joe voice.",
    )
    speed: float = Field(default=1.0, gt=0.25, le=4.0)
    max_chunk_chars: int = Field(
        default=TextLimits().chunk_chars,
        ge=20,
        description="The most text one synthesis request is given: a longer sentence is "
        "cut at sentence ends, else clause breaks, else spaces, and spoken chunk by chunk "
        "(piper holds about 1.5 MB per character of one request).",
    )
    max_sentence_chars: int = Field(
        default=TextLimits().total_chars,
        ge=20,
        description="The most of one reply sentence that is spoken (3,000 characters is "
        "about three minutes); the rest is refused, logged and counted "
        "(tts_refused_chars_total).",
    )

    @field_validator("provider")
    @classmethod
    def _available_provider(cls, value: str) -> str:
        return check_speech_provider("PARLEY_TTS", value)

    @field_validator("fallback_provider")
    @classmethod
    def _available_fallback(cls, value: str | None) -> str | None:
        return check_speech_provider("PARLEY_TTS_FALLBACK", value) if value else None

    @model_validator(mode="after")
    def _chunk_within_sentence(self) -> Self:
        if self.max_chunk_chars > self.max_sentence_chars:
            raise ValueError(
                f"PARLEY_TTS_MAX_CHUNK_CHARS={self.max_chunk_chars} is more than "
                f"PARLEY_TTS_MAX_SENTENCE_CHARS={self.max_sentence_chars}; lower the first "
                "or raise the second"
            )
        return self

    def text_limits(self) -> TextLimits:
        return TextLimits(self.max_chunk_chars, self.max_sentence_chars)
