from __future__ import annotations

import pytest
from parley_resilience import CircuitBreaker, CircuitOpenError


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: FakeClock) -> CircuitBreaker:
    return CircuitBreaker("agent", failure_threshold=3, reset_after_s=30, clock=clock)


def test_opens_after_three_consecutive_failures() -> None:
    circuit = breaker(FakeClock())
    for _ in range(2):
        circuit.before_call()
        circuit.record_failure()
    assert circuit.state == "closed"
    circuit.record_failure()
    assert circuit.state == "open"
    with pytest.raises(CircuitOpenError, match=r"30\.0 s"):
        circuit.before_call()


def test_a_success_resets_the_count() -> None:
    circuit = breaker(FakeClock())
    circuit.record_failure()
    circuit.record_failure()
    circuit.record_success()
    circuit.record_failure()
    circuit.record_failure()
    assert circuit.state == "closed"


def test_half_opens_after_the_reset_time_and_allows_one_trial() -> None:
    clock = FakeClock()
    circuit = breaker(clock)
    for _ in range(3):
        circuit.record_failure()
    clock.now = 29.9
    assert circuit.state == "open"
    clock.now = 30.0
    assert circuit.state == "half_open"
    circuit.before_call()
    with pytest.raises(CircuitOpenError):
        circuit.before_call()  # only one trial at a time


def test_failed_trial_reopens_and_successful_trial_closes() -> None:
    clock = FakeClock()
    circuit = breaker(clock)
    for _ in range(3):
        circuit.record_failure()
    clock.now = 30
    circuit.before_call()
    circuit.record_failure()
    assert circuit.state == "open"
    clock.now = 60
    circuit.before_call()
    circuit.record_success()
    assert circuit.state == "closed"
    circuit.before_call()


def test_an_abandoned_trial_lets_the_next_call_try() -> None:
    clock = FakeClock()
    circuit = breaker(clock)
    for _ in range(3):
        circuit.record_failure()
    clock.now = 30
    circuit.before_call()
    circuit.abandon()  # the trial call was cancelled by its caller
    assert circuit.state == "half_open"
    circuit.before_call()
    with pytest.raises(CircuitOpenError):
        circuit.before_call()
