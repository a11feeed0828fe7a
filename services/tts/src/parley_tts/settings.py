from __future__ import annotations

from parley_runtime import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class TtsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_TTS_", env_file=".env", extra="ignore")

    port: int = 8083
    consumer_group: str = "parley-tts"
    voice_model: str | None = Field(
        default=None,
        description="Path to a piper .onnx voice; default: the bundled en_US joe voice.",
    )
    speed: float = Field(default=1.0, gt=0.25, le=4.0)
