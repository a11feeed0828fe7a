"""Retry timing for provider connections."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReconnectPolicy:
    delays_s: tuple[float, ...] = (0.1, 0.2, 0.4, 0.8, 0.8)
    """Wait before each reconnection attempt: exponential from 100 ms, at most 5 tries."""
    rate_limit_base_s: float = 1.0
    """Back-off after a rate-limit answer that did not say how long to wait."""
    max_buffered_ms: int = 60_000
    """Audio kept for replay after a drop; older audio without a final result is dropped."""
    healthy_after_s: float = 1.0
    """A connection that ends in an error sooner than this without any result counts as
    a failed attempt (providers that refuse on the open stream, as gRPC does), so one
    that keeps refusing is given up on instead of reconnected to for ever."""
    max_connection_s: float | None = None
    """Open a fresh connection (replaying unconfirmed audio) before a provider's
    per-stream time limit; None when the provider has no such limit."""

    def rate_limit_delay(self, retry_after_s: float | None, attempt: int) -> float:
        """The provider's own hint if it gave one, else exponential; with full jitter so
        many calls rate-limited together do not come back together."""
        base = retry_after_s if retry_after_s is not None else self.rate_limit_base_s * 2**attempt
        return base * (1 + random.random())
