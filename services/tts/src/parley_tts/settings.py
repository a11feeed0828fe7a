from __future__ import annotations

from parley_runtime import ServiceSettings
from parley_speech import LOCAL_PROVIDER, check_speech_provider
from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict


class TtsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_TTS_", env_file=".env", extra="ignore")

    provider: str = Field(
        default=LOCAL_PROVIDER,
        validation_alias="PARLEY_TTS",
        description="Speech synthesis provider; local is piper.",
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
