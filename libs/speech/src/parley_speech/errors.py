"""How a speech provider fails, so callers can tell what is worth retrying."""

from __future__ import annotations


class SpeechProviderError(Exception):
    """A speech provider could not do what was asked."""

    def __init__(self, provider: str, message: str) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider


class ProviderAuthError(SpeechProviderError):
    """The provider refused our credentials. Retrying cannot help: fix the API key."""


class ProviderRateLimited(SpeechProviderError):
    """The provider asked us to slow down (``retry_after_s`` if it said how long)."""

    def __init__(self, provider: str, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(provider, message)
        self.retry_after_s = retry_after_s


class ProviderConnectionLost(SpeechProviderError):
    """The connection dropped or could not be made; reconnecting may help."""


class ProviderUnavailable(SpeechProviderError):
    """Reconnecting did not help (or the provider's circuit is open): give up on it."""
