"""Resilience primitives shared by Parley's clients of remote services."""

from parley_resilience.circuit import CircuitBreaker, CircuitOpenError, CircuitState

__all__ = ["CircuitBreaker", "CircuitOpenError", "CircuitState"]
