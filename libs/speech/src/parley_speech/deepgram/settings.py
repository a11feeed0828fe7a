"""The Deepgram provider's settings, read from ``DEEPGRAM_*`` environment variables, and
the SDK client they describe."""

from __future__ import annotations

import httpx
from deepgram import AsyncDeepgramClient
from deepgram.environment import DeepgramClientEnvironment
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class DeepgramSettingsError(ValueError):
    """The Deepgram provider was chosen but is not configured."""


class DeepgramSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DEEPGRAM_", extra="ignore")

    api_key: SecretStr | None = None
    """``DEEPGRAM_API_KEY``: required whenever the provider is used."""
    base_url: str | None = None
    """``DEEPGRAM_BASE_URL``: e.g. ``http://127.0.0.1:8765`` to use a local fake; REST
    calls go to it, WebSockets to the same host with ``ws``/``wss``."""
    model: str = "nova-3"
    """Streaming STT model (``nova-2-phonecall`` is the older telephony-tuned one)."""
    voice: str = "aura-2-thalia-en"
    """Default Aura voice."""
    utterance_end_ms: int = 1000
    """Gap in words after which Deepgram reports ``UtteranceEnd`` (its minimum is 1000)."""
    keepalive_s: float = 3.0
    """Send ``KeepAlive`` after this long without audio (Deepgram closes after ~10 s)."""
    smart_format: bool = True
    timeout_s: float = 10.0
    """Connect and read timeout for TTS requests."""

    def require_api_key(self) -> str:
        if self.api_key is None or not self.api_key.get_secret_value().strip():
            raise DeepgramSettingsError(
                "DEEPGRAM_API_KEY is not set: set it to a Deepgram API key, "
                "or choose another speech provider (PARLEY_STT / PARLEY_TTS)"
            )
        return self.api_key.get_secret_value().strip()

    def environment(self) -> DeepgramClientEnvironment:
        if self.base_url is None:
            return DeepgramClientEnvironment.PRODUCTION
        base = self.base_url.rstrip("/")
        if base.startswith("https://"):
            socket = "wss://" + base.removeprefix("https://")
        elif base.startswith("http://"):
            socket = "ws://" + base.removeprefix("http://")
        else:
            raise DeepgramSettingsError(
                f"DEEPGRAM_BASE_URL={self.base_url!r} must start with http:// or https://"
            )
        return DeepgramClientEnvironment(
            base=base, production=socket, agent=socket, agent_rest=base
        )


def deepgram_client(settings: DeepgramSettings, http: httpx.AsyncClient) -> AsyncDeepgramClient:
    """An SDK client; ``http`` is owned (and closed) by the caller."""
    return AsyncDeepgramClient(
        api_key=settings.require_api_key(),
        environment=settings.environment(),
        httpx_client=http,
    )
