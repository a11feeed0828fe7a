from __future__ import annotations

import time

from parley_edge.admission import CallAdmission


def test_answered_and_streaming_calls_both_count_towards_the_limit() -> None:
    admission = CallAdmission(max_calls=2, pending_ttl_s=60)
    assert admission.reserve("a")
    admission.activate("a")
    assert admission.reserve("b")
    assert not admission.reserve("c")
    admission.release("a")
    assert admission.reserve("c")


def test_a_reservation_whose_stream_never_came_expires() -> None:
    admission = CallAdmission(max_calls=1, pending_ttl_s=0.01)
    assert admission.reserve("a")
    time.sleep(0.02)
    assert admission.reserve("b")
    assert len(admission) == 1
