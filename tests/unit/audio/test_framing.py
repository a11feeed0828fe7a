from __future__ import annotations

from parley_audio import FRAME_BYTES, FrameAccumulator, split_frames
from parley_audio.framing import duration_ms


def test_split_pads_the_last_frame_with_silence() -> None:
    frames = split_frames(b"\x00" * (FRAME_BYTES + 10))
    assert [len(f) for f in frames] == [FRAME_BYTES, FRAME_BYTES]
    assert frames[1] == b"\x00" * 10 + b"\xff" * (FRAME_BYTES - 10)


def test_split_can_drop_the_partial_frame() -> None:
    assert len(split_frames(b"\x00" * (FRAME_BYTES + 10), pad=False)) == 1


def test_accumulator_rechunks_odd_sizes_without_losing_bytes() -> None:
    accumulator = FrameAccumulator()
    data = bytes(range(256)) * 5
    frames: list[bytes] = []
    for i in range(0, len(data), 77):
        frames += accumulator.push(data[i : i + 77])
    frames += accumulator.flush(pad=False)
    assert all(len(f) == FRAME_BYTES for f in frames)
    assert b"".join(frames) == data[: len(frames) * FRAME_BYTES]
    assert len(data) - len(frames) * FRAME_BYTES < FRAME_BYTES


def test_accumulator_keeps_order_when_whole_frames_follow_a_partial_one() -> None:
    accumulator = FrameAccumulator()
    whole = [bytes([n]) * FRAME_BYTES for n in range(3)]
    assert accumulator.push(whole[0]) == [whole[0]]
    assert accumulator.push(b"\x07" * 40) == []
    # A whole frame after a partial one must not jump ahead of the bytes still held.
    assert accumulator.push(whole[1]) == [b"\x07" * 40 + whole[1][:120]]
    assert accumulator.flush(pad=False) == []
    assert accumulator.push(whole[2]) == [whole[2]]


def test_duration_of_mulaw_audio() -> None:
    assert duration_ms(bytes(FRAME_BYTES)) == 20
    assert duration_ms(bytes(80)) == 10
    assert duration_ms(bytes(1)) == 1
