"""A circuit breaker: stop calling a dependency that keeps failing, try again later.

Closed: calls go through; `failure_threshold` consecutive failures open it.
Open: calls are refused at once (no waiting on a dead dependency) for `reset_after_s`.
Half-open: one trial call goes through; success closes the circuit, failure reopens it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

CircuitState = Literal["closed", "open", "half_open"]


class CircuitOpenError(Exception):
    """The dependency failed repeatedly; calls are refused until the circuit half-opens."""

    def __init__(self, name: str, retry_in_s: float) -> None:
        super().__init__(f"{name} failed repeatedly; not calling it for another {retry_in_s:.1f} s")
        self.retry_in_s = retry_in_s


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        failure_threshold: int = 3,
        reset_after_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_after_s = reset_after_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False

    @property
    def state(self) -> CircuitState:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.reset_after_s:
            return "half_open"
        return "open"

    def before_call(self) -> None:
        """Raise CircuitOpenError unless a call may go through now."""
        state = self.state
        if state == "closed":
            return
        if state == "half_open" and not self._trial_in_flight:
            self._trial_in_flight = True
            return
        assert self._opened_at is not None
        remaining = max(0.0, self.reset_after_s - (self._clock() - self._opened_at))
        raise CircuitOpenError(self.name, remaining)

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_in_flight = False

    def abandon(self) -> None:
        """The caller gave up on a call (cancelled it): neither a success nor a failure,
        but a half-open trial it held may be made again by the next call."""
        self._trial_in_flight = False

    def record_failure(self) -> None:
        self._trial_in_flight = False
        self._failures += 1
        if self._opened_at is not None or self._failures >= self.failure_threshold:
            self._opened_at = self._clock()
