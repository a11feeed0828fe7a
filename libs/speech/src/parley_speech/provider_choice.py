"""The providers one worker serves calls with: the deployment's default, any other a
call asks for, each optionally backed by a secondary that takes over when it fails.
Providers are built on first use, so a deployment that never sees a Deepgram call
never needs a Deepgram key."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar

from parley_speech.providers import check_speech_provider

log = logging.getLogger(__name__)


class _Closable(Protocol):
    name: str

    def aclose(self) -> Awaitable[None]: ...


P = TypeVar("P", bound=_Closable)


class ProviderChoice(Generic[P]):
    def __init__(
        self,
        kind: str,
        default: str,
        builders: dict[str, Callable[[], P]],
        failover: Callable[[P, P], P],
        fallback: str | None = None,
    ) -> None:
        self._kind = kind
        self._builders = builders
        self.default = self._offered(f"{kind} provider", default)
        self.fallback = self._offered(f"{kind} fallback", fallback) if fallback else None
        self._failover = failover
        self._built: dict[str, P] = {}
        self._served: dict[str, P] = {}

    def _offered(self, setting: str, name: str) -> str:
        chosen = check_speech_provider(setting, name)
        if chosen not in self._builders:
            offered = ", ".join(sorted(self._builders))
            raise ValueError(
                f"{setting}={chosen!r} is a speech provider, but not one for {self._kind} "
                f"(those are {offered})"
            )
        return chosen

    def get(self, name: str | None = None) -> P:
        """The provider for a call (``name`` from the call's settings, else the default).
        Raises ``ValueError`` for an unknown name (or one that is not a provider of this
        kind) and whatever the builder raises for a provider that cannot be configured
        (a missing API key, say)."""
        chosen = self._offered(f"{self._kind} provider", name or self.default)
        served = self._served.get(chosen)
        if served is None:
            served = self._build(chosen)
            if self.fallback and self.fallback != chosen:
                served = self._failover(served, self._build(self.fallback))
            self._served[chosen] = served
        return served

    def _build(self, name: str) -> P:
        provider = self._built.get(name)
        if provider is None:
            provider = self._built[name] = self._builders[name]()
            log.info(
                f"{self._kind} provider ready",
                extra={"event": f"{self._kind}.provider_ready", "provider": name},
            )
        return provider

    async def aclose(self) -> None:
        for provider in self._built.values():
            await provider.aclose()
        self._built.clear()
        self._served.clear()
