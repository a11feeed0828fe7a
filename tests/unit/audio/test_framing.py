from __future__ import annotations

from parley_audio import FRAME_BYTES, FrameAccumulator, split_frames


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
