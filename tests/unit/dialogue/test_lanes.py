from __future__ import annotations

import asyncio

from parley_dialogue.lanes import SessionLanes


async def test_one_call_in_order_while_calls_run_concurrently() -> None:
    lanes = SessionLanes()
    log: list[str] = []
    slow_started = asyncio.Event()
    release = asyncio.Event()

    async def slow() -> None:
        slow_started.set()
        await release.wait()
        log.append("a1")

    async def record(name: str) -> None:
        log.append(name)

    lanes.submit("a", slow)
    lanes.submit("a", lambda: record("a2"))
    lanes.submit("b", lambda: record("b1"))
    await slow_started.wait()
    await asyncio.sleep(0.01)
    assert log == ["b1"]  # call b is not held up by call a's slow step
    release.set()
    await lanes.drain_all()
    assert log == ["b1", "a1", "a2"]
    assert lanes.busy == 0


async def test_a_failing_job_does_not_stop_the_lane() -> None:
    lanes = SessionLanes()
    done: list[int] = []

    async def boom() -> None:
        raise RuntimeError("bad event")

    async def ok() -> None:
        done.append(1)

    lanes.submit("a", boom)
    lanes.submit("a", ok)
    await lanes.drain_all()
    assert done == [1]
