"""Two edge instances, two slots: every reply reaches the instance holding its call, and
each instance reads only its own slot's partition."""

from __future__ import annotations

import asyncio
import base64

import pytest
from parley_bus import BusPublisher
from parley_contracts import AUDIO_OUT, CallStarted

from tests.integration.edge.harness import Edge, KafkaWatch, TwilioStream, agent_says

pytestmark = pytest.mark.integration


async def say(replies: BusPublisher, slot: int, session_id: str, byte: int, frames: int) -> None:
    await agent_says(replies, slot, session_id, [bytes([byte]) * 160] * frames, end_segment=False)


async def heard(stream: TwilioStream, quiet_s: float = 1.0) -> bytes:
    """What the caller hears until the line goes quiet."""
    audio = bytearray()
    try:
        while True:
            message = await stream.receive(timeout_s=quiet_s)
            if message["event"] == "media":
                audio += base64.b64decode(message["media"]["payload"])
    except TimeoutError:
        return bytes(audio)


async def test_each_caller_hears_only_their_own_agent_through_their_own_edge(
    edges: tuple[Edge, Edge], kafka: KafkaWatch, replies: BusPublisher
) -> None:
    first, second = TwilioStream(edges[0]), TwilioStream(edges[1])
    await asyncio.gather(first.call(), second.call())
    started = [await kafka.wait_for(s.session_id, CallStarted) for s in (first, second)]
    assert [e.edge_slot for e in started if isinstance(e, CallStarted)] == [0, 1]

    await asyncio.gather(
        say(replies, 0, first.session_id, 0x11, 25), say(replies, 1, second.session_id, 0x22, 25)
    )
    first_heard, second_heard = await asyncio.gather(heard(first), heard(second))
    assert first_heard == b"\x11" * 160 * 25
    assert second_heard == b"\x22" * 160 * 25
    await asyncio.gather(first.stop(), second.stop())


async def test_an_edge_never_reads_another_slots_partition(
    edges: tuple[Edge, Edge], kafka: KafkaWatch, replies: BusPublisher
) -> None:
    held_by_first = TwilioStream(edges[0])
    await held_by_first.call()
    await kafka.wait_for(held_by_first.session_id, CallStarted)
    unroutable = [
        await e.metric("edge_unroutable_messages_total", topic=AUDIO_OUT.name) for e in edges
    ]

    # Written to slot 1's partition by mistake: only the second edge reads it, and it does
    # not hold the call; the first edge, which does, never sees it.
    await say(replies, 1, held_by_first.session_id, 0x33, 5)
    async with asyncio.timeout(10):
        while (
            await edges[1].metric("edge_unroutable_messages_total", topic=AUDIO_OUT.name)
            < unroutable[1] + 5
        ):
            await asyncio.sleep(0.1)
    assert await heard(held_by_first) == b""
    assert (
        await edges[0].metric("edge_unroutable_messages_total", topic=AUDIO_OUT.name)
        == unroutable[0]
    )

    await say(replies, 0, held_by_first.session_id, 0x44, 5)
    assert await heard(held_by_first) == b"\x44" * 160 * 5
    await held_by_first.stop()
