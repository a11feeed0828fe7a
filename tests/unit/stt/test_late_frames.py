"""Late caller audio: a delayed pipeline is caught up on, a taken-over backlog is not."""

from __future__ import annotations

import pytest
from parley_stt.frame_age import FrameAgeLimits, FrameVerdict

from tests.unit.stt.recording_recognizer import (
    LIMITS,
    RecordingRecognizer,
    feed,
    heard,
    worker_with,
)


async def test_delayed_frames_of_a_call_being_recognised_are_caught_up_on() -> None:
    """After a broker restart the caller's words arrive seconds late; none is dropped."""
    recognizer = RecordingRecognizer()
    worker = worker_with(recognizer)
    await feed(worker, 0, age_ms=20)
    for seq, age_ms in enumerate((3000, 6000, 11_900, 2500, 400), start=1):
        await feed(worker, seq, age_ms)
    assert await heard(recognizer) == [0, 1, 2, 3, 4, 5]
    await worker.shutdown()


async def test_a_backlog_taken_over_is_skipped_until_the_first_fresh_frame() -> None:
    recognizer = RecordingRecognizer()
    worker = worker_with(recognizer)
    for seq, age_ms in enumerate((9000, 5000, 2100, 1500, 2500)):
        await feed(worker, seq, age_ms)
    # From the first fresh frame on, the worker holds the call and catches up.
    assert await heard(recognizer) == [3, 4]
    await worker.shutdown()


async def test_audio_later_than_the_catch_up_limit_is_given_up_on() -> None:
    recognizer = RecordingRecognizer()
    worker = worker_with(recognizer)
    await feed(worker, 0, age_ms=20)
    await feed(worker, 1, age_ms=15_500)
    await feed(worker, 2, age_ms=14_000)
    assert await heard(recognizer) == [0, 2]
    await worker.shutdown()


@pytest.mark.parametrize(
    ("age_ms", "held", "verdict"),
    [
        (1999, False, FrameVerdict.RECOGNISE),
        (2001, False, FrameVerdict.BACKLOG),
        (2001, True, FrameVerdict.RECOGNISE),
        (15_001, True, FrameVerdict.TOO_LATE),
        (15_001, False, FrameVerdict.TOO_LATE),
    ],
)
def test_frame_verdicts(age_ms: int, held: bool, verdict: FrameVerdict) -> None:
    assert LIMITS.judge(age_ms, held) is verdict


def test_a_catch_up_limit_below_the_takeover_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="catch-up"):
        FrameAgeLimits(takeover_ms=5000, catch_up_ms=1000)
