from __future__ import annotations

from parley_bus import KafkaSettings
from parley_runtime import ServiceSettings
from parley_sessions import SessionStoreSettings
from parley_speech import LOCAL_PROVIDER, check_speech_provider
from parley_speech.circuit_settings import ProviderCircuitSettings
from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from parley_stt.frame_age import FrameAgeLimits


class SttSettings(ServiceSettings, KafkaSettings, ProviderCircuitSettings, SessionStoreSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_STT_", env_file=".env", extra="ignore")

    provider: str = Field(
        default=LOCAL_PROVIDER,
        validation_alias="PARLEY_STT",
        description="Default speech recognition provider (local is pocketsphinx, whisper "
        "is Whisper tiny.en, both offline); a call may ask for another one.",
    )
    fallback_provider: str | None = Field(
        default=None,
        validation_alias="PARLEY_STT_FALLBACK",
        description="Provider that takes over when the chosen one keeps failing (its "
        "circuit opens); unset = no failover.",
    )
    port: int = 8081
    consumer_group: str = "parley-stt"
    min_speech_ms: int = Field(default=200, ge=0, description="Shorter sounds are not speech.")
    silence_ms: int = Field(
        default=300, ge=100, description="Trailing silence that ends an utterance."
    )
    interim_interval_ms: int = Field(default=300, ge=100)
    pause_ms: int = Field(
        default=120,
        ge=0,
        description="Silence after which the words so far go out as a paused interim "
        "(preemptive generation starts on it); 0 = never; below PARLEY_STT_SILENCE_MS.",
    )
    max_frame_age_ms: int = Field(
        default=2000,
        ge=100,
        description="Frames of a call this worker is not yet recognising, older than this "
        "(edge receive -> now), are skipped: a worker taking over a backlog does not "
        "transcribe speech the caller has moved on from.",
    )
    max_catch_up_ms: int = Field(
        default=15_000,
        ge=100,
        description="Frames of a call being recognised arrive late when the broker "
        "restarts or the machine is loaded; the recogniser catches up on them up to this "
        "age (edge receive -> now), so the caller's words are not lost.",
    )

    @model_validator(mode="after")
    def _ordered_frame_ages(self) -> SttSettings:
        if self.max_catch_up_ms < self.max_frame_age_ms:
            raise ValueError(
                "PARLEY_STT_MAX_CATCH_UP_MS must be at least PARLEY_STT_MAX_FRAME_AGE_MS"
            )
        return self

    def frame_age_limits(self) -> FrameAgeLimits:
        return FrameAgeLimits(takeover_ms=self.max_frame_age_ms, catch_up_ms=self.max_catch_up_ms)

    @field_validator("provider")
    @classmethod
    def _available_provider(cls, value: str) -> str:
        return check_speech_provider("PARLEY_STT", value)

    @field_validator("fallback_provider")
    @classmethod
    def _available_fallback(cls, value: str | None) -> str | None:
        return check_speech_provider("PARLEY_STT_FALLBACK", value) if value else None
