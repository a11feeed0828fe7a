from __future__ import annotations

import asyncio
import contextlib

import orjson
from parley_edge.playback import PlaybackPacer


async def run_pacer(pacer: PlaybackPacer, seconds: float) -> None:
    task = asyncio.create_task(pacer.run())
    await asyncio.sleep(seconds)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def make_pacer(sent: list[str], ahead_ms: int = 100) -> PlaybackPacer:
    async def send(text: str) -> None:
        sent.append(text)

    return PlaybackPacer(
        lambda frame: orjson.dumps({"event": "media", "n": frame[0]}).decode(),
        lambda name: orjson.dumps({"event": "mark", "name": name}).decode(),
        send,
        ahead_ms=ahead_ms,
    )


async def test_frames_go_out_in_order_with_the_mark_after_its_audio() -> None:
    sent: list[str] = []
    pacer = make_pacer(sent)
    for n in range(5):
        pacer.enqueue_frame(1, bytes([n]) * 160)
    pacer.enqueue_mark(1, "t1.s0.last")
    await run_pacer(pacer, 0.2)
    messages = [orjson.loads(s) for s in sent]
    assert [m.get("n") for m in messages[:5]] == [0, 1, 2, 3, 4]
    assert messages[5] == {"event": "mark", "name": "t1.s0.last"}


async def test_playback_is_paced_not_dumped() -> None:
    sent: list[str] = []
    pacer = make_pacer(sent, ahead_ms=100)
    for _ in range(100):  # two seconds of audio
        pacer.enqueue_frame(1, b"\x00" * 160)
    await run_pacer(pacer, 0.3)
    # 100 ms ahead plus ~300 ms of real time is at most ~20 frames, far from all 100.
    assert 5 <= len(sent) <= 30


async def test_superseded_turn_is_dropped_and_later_frames_for_it_refused() -> None:
    sent: list[str] = []
    pacer = make_pacer(sent)
    for _ in range(50):
        pacer.enqueue_frame(1, b"\x01" * 160)
    dropped = pacer.supersede(2)
    assert dropped == 50
    assert pacer.enqueue_frame(1, b"\x01" * 160) is False
    assert pacer.enqueue_frame(2, b"\x02" * 160) is True
    await run_pacer(pacer, 0.05)
    assert [orjson.loads(s)["n"] for s in sent] == [2]
