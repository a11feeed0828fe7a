from __future__ import annotations

from parley_runtime import ServiceSettings
from parley_speech import LOCAL_PROVIDER, check_speech_provider
from parley_speech.circuit_settings import ProviderCircuitSettings
from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict


class TtsSettings(ServiceSettings, ProviderCircuitSettings):
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

    @field_validator("provider")
    @classmethod
    def _available_provider(cls, value: str) -> str:
        return check_speech_provider("PARLEY_TTS", value)

    @field_validator("fallback_provider")
    @classmethod
    def _available_fallback(cls, value: str | None) -> str | None:
        return check_speech_provider("PARLEY_TTS_FALLBACK", value) if value else None
