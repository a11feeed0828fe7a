from __future__ import annotations

from parley_contracts import OutboundAudioHeaders
from parley_edge.segment_dedup import SegmentProgress


def frame(
    turn: int, segment: int, seq: int, last: bool = False, text: str = "a1b2c3d4"
) -> OutboundAudioHeaders:
    return OutboundAudioHeaders(
        session_id="s",
        turn_id=turn,
        segment=segment,
        seq=seq,
        last_in_segment=last,
        last_segment=False,
        text_id=text,
    )


def test_a_resynthesised_segment_is_heard_once() -> None:
    progress = SegmentProgress()
    first_take = [frame(1, 0, 0), frame(1, 0, 1), frame(1, 0, 2, last=True)]
    assert [progress.is_new(f) for f in first_take] == [True, True, True]
    # The worker that took over synthesises the same sentence again.
    assert [progress.is_new(f) for f in first_take] == [False, False, False]
    assert progress.is_new(frame(1, 1, 0))  # the next sentence is new


def test_a_take_cut_short_is_continued_where_it_stopped() -> None:
    progress = SegmentProgress()
    assert progress.is_new(frame(2, 0, 0)) and progress.is_new(frame(2, 0, 1))
    second_take = [frame(2, 0, 0), frame(2, 0, 1), frame(2, 0, 2), frame(2, 0, 3, last=True)]
    assert [progress.is_new(f) for f in second_take] == [False, False, True, True]


def test_old_turns_are_forgotten() -> None:
    progress = SegmentProgress()
    progress.is_new(frame(1, 0, 0, last=True))
    progress.forget_turns_before(2)
    assert progress.is_new(frame(1, 0, 0))


def test_a_new_sentence_reusing_a_turn_id_is_played() -> None:
    progress = SegmentProgress()
    assert progress.is_new(frame(3, 0, 0, last=True, text="00000001"))
    assert progress.is_new(frame(3, 0, 0, last=True, text="00000002"))
