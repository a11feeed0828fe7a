from __future__ import annotations

from parley_tts.turn_guard import TurnGuard


def test_cancelled_turn_and_older_turns_are_dead() -> None:
    guard = TurnGuard()
    guard.started("s", 1)
    assert not guard.is_dead("s", 1)
    guard.cancel("s", 1)
    assert guard.is_dead("s", 1) and guard.is_dead("s", 0)
    guard.started("s", 2)
    assert not guard.is_dead("s", 2)


def test_a_newer_turn_supersedes_older_ones_per_call() -> None:
    guard = TurnGuard()
    guard.started("s", 3)
    assert guard.is_dead("s", 2)
    assert not guard.is_dead("other", 2)
