"""When a worker stops trying a failing speech provider for a while: the circuit-breaker
settings stt and tts share (each under its own environment prefix)."""

from __future__ import annotations

from parley_resilience import CircuitBreaker
from pydantic import BaseModel, Field


class ProviderCircuitSettings(BaseModel):
    provider_failure_threshold: int = Field(
        default=3, ge=1, description="Consecutive provider failures that open its circuit."
    )
    provider_reset_after_s: float = Field(
        default=30.0, gt=0, description="How long an open provider circuit stays open."
    )

    def provider_breaker(self, kind: str, provider: str) -> CircuitBreaker:
        return CircuitBreaker(
            f"{kind} provider {provider}",
            self.provider_failure_threshold,
            self.provider_reset_after_s,
        )
