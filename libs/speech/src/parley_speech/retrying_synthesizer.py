"""Retries a synthesis that failed before any audio: a dropped connection after the
reconnect back-off, a rate-limit answer after a jittered wait. Authentication failures
and failures after audio was produced are not retried (the caller already heard it)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator

from parley_speech.backoff import ReconnectPolicy
from parley_speech.errors import (
    ProviderConnectionLost,
    ProviderRateLimited,
    ProviderUnavailable,
    SpeechProviderError,
)
from parley_speech.synthesis import SpeechSynthesizer, SynthesisRequest

log = logging.getLogger(__name__)


class RetryingSynthesizer:
    def __init__(self, inner: SpeechSynthesizer, policy: ReconnectPolicy | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.default_voice = inner.default_voice
        self.output_format = inner.output_format
        self._policy = policy or ReconnectPolicy()

    def voices(self) -> frozenset[str]:
        return self.inner.voices()

    async def stream(self, request: SynthesisRequest) -> AsyncGenerator[bytes, None]:
        last: SpeechProviderError | None = None
        for attempt, delay in enumerate(self._policy.delays_s):
            if isinstance(last, ProviderRateLimited):
                await asyncio.sleep(self._policy.rate_limit_delay(last.retry_after_s, attempt))
            elif last is not None:
                await asyncio.sleep(delay)
            spoke = False
            try:
                async with contextlib.aclosing(self.inner.stream(request)) as chunks:
                    async for chunk in chunks:
                        spoke = True
                        yield chunk
                return
            except (ProviderConnectionLost, ProviderRateLimited) as exc:
                if spoke:
                    raise
                last = exc
                log.info(
                    "speech synthesis attempt failed",
                    extra={
                        "event": "tts.provider_retry",
                        "provider": self.name,
                        "attempt": attempt + 1,
                        "error": str(exc),
                    },
                )
        raise ProviderUnavailable(
            self.name,
            f"synthesis failed after {len(self._policy.delays_s)} attempts (last error: {last})",
        )

    async def aclose(self) -> None:
        await self.inner.aclose()
