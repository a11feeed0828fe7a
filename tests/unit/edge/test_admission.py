from __future__ import annotations

from parley_edge.admission import CallAdmission


def test_answered_and_streaming_calls_both_count_towards_the_limit() -> None:
    admission = CallAdmission(max_calls=2)
    assert admission.reserve("a")
    admission.activate("a")
    assert admission.reserve("b")
    assert not admission.reserve("c")
    admission.release("a")
    assert admission.reserve("c")


def test_only_a_call_whose_stream_has_not_started_is_pending() -> None:
    admission = CallAdmission(max_calls=2)
    admission.reserve("a")
    admission.reserve("b")
    admission.activate("b")
    assert admission.is_pending("a") and not admission.is_pending("b")
    admission.release("a")
    assert not admission.is_pending("a") and len(admission) == 1


def test_a_stream_answered_by_another_instance_takes_a_place_here_even_when_full() -> None:
    admission = CallAdmission(max_calls=1)
    assert admission.reserve("mine")
    admission.activate("theirs")
    assert len(admission) == 2
    admission.release("theirs")
    assert len(admission) == 1
