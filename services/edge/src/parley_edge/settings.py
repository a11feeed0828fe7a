from __future__ import annotations

from typing import Any

from parley_bus import KafkaSettings
from parley_runtime import ServiceSettings
from parley_sessions import RedisSettings
from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from parley_edge.carriers.twilio.settings import TwilioSettings


def _shared(env: str, name: str, default: str, description: str) -> Any:
    """A setting read from an unprefixed variable other parts of a deployment share."""
    return Field(default=default, validation_alias=AliasChoices(env, name), description=description)


class EdgeSettings(ServiceSettings, KafkaSettings, RedisSettings, TwilioSettings):
    model_config = SettingsConfigDict(env_prefix="PARLEY_EDGE_", env_file=".env", extra="ignore")

    port: int = 8080
    public_url: str = _shared(
        "PARLEY_PUBLIC_URL",
        "public_url",
        "http://127.0.0.1:8080",
        "The URL the carrier reaches this edge at; webhooks are signed over it.",
    )
    stream_token_secret: str = Field(
        default="",
        description="HMAC key for media stream tokens; empty: the Twilio auth token.",
    )
    stream_token_ttl_s: int = Field(
        default=60, ge=5, le=3600, description="How long a TwiML's stream token stays valid."
    )
    max_concurrent_calls: int = Field(
        default=200, ge=1, description="Calls this instance takes before answering fallback."
    )
    pending_call_timeout_s: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="An answered call whose media stream has not started by then is "
        "released and its session ended (a carrier connects within a second or two).",
    )
    max_call_duration_s: int = Field(
        default=3600, ge=1, description="A call still open after this is hung up."
    )
    start_timeout_s: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="A media socket with no valid start message by then is closed (1008).",
    )
    slot: int = Field(default=0, ge=0, description="This instance's stable edge slot.")
    playback_ahead_ms: int = Field(default=100, ge=20, le=1000)

    def token_secret(self) -> str:
        return self.stream_token_secret or self.twilio_auth_token
