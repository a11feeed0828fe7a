"""A broker that is away never stalls the Media Stream reader, and loses no call event."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from aiokafka.errors import KafkaConnectionError
from parley_contracts import (
    CALL_EVENTS,
    CallEnded,
    CallStarted,
    DtmfPressed,
    Event,
    InboundAudioHeaders,
    TopicSpec,
)
from parley_edge import call_uplink
from parley_edge.call_uplink import MAX_QUEUED_FRAMES, CallUplink

from tests.unit.edge.scripted_socket import (
    SESSION_ID,
    RecordingPublisher,
    ScriptedSocket,
    call_stream,
    edge_context,
)
from tests.unit.edge.test_hostile_messages import CONNECTED, GOOD_START, STOP, frame_for, media


class BrokerAway(RecordingPublisher):
    """Every send waits until the broker is back, as a full producer batch does; event
    sends fail ``failures`` times first."""

    def __init__(self, failures: int = 0) -> None:
        super().__init__()
        self.back = asyncio.Event()
        self.failures = failures

    async def event(self, topic: TopicSpec, event: Event, partition: int | None = None) -> None:
        await self.back.wait()
        if self.failures:
            self.failures -= 1
            raise KafkaConnectionError("broker away")
        await super().event(topic, event, partition)

    async def caller_audio(self, frame: bytes, meta: InboundAudioHeaders) -> None:
        await self.back.wait()
        await super().caller_audio(frame, meta)


def meta(seq: int) -> InboundAudioHeaders:
    return InboundAudioHeaders(
        session_id=SESSION_ID, seq=seq, media_timestamp_ms=seq * 20, received_at_ms=0, edge_slot=0
    )


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(call_uplink, "RETRY_EVENT_AFTER_S", 0.01)


async def test_while_the_broker_is_away_the_newest_audio_is_kept_and_sent_in_order() -> None:
    publisher = BrokerAway()
    uplink = CallUplink(SESSION_ID, publisher)
    await asyncio.sleep(0)
    for seq in range(MAX_QUEUED_FRAMES + 100):
        uplink.audio(frame_for(seq), meta(seq))  # returns at once: nothing waits for Kafka
    await asyncio.sleep(0.01)
    publisher.back.set()
    await uplink.close()
    sent = [m.seq for _, m in (e for e in publisher.log if isinstance(e, tuple))]
    assert sent == sorted(sent)
    assert sent[-MAX_QUEUED_FRAMES:] == list(range(100, MAX_QUEUED_FRAMES + 100))


async def test_call_events_are_retried_until_the_broker_takes_them_in_order() -> None:
    publisher = BrokerAway(failures=3)
    uplink = CallUplink(SESSION_ID, publisher)
    digits = [DtmfPressed(session_id=SESSION_ID, edge_slot=0, digit=d) for d in "123"]
    for event in digits:
        uplink.event(CALL_EVENTS, event)
    publisher.back.set()
    await uplink.close()
    assert publisher.events == digits


async def test_a_call_goes_on_reading_its_socket_while_the_broker_is_away(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(call_uplink, "FLUSH_TIMEOUT_S", 2.0)
    publisher = BrokerAway()
    script = [CONNECTED, GOOD_START, *(media(frame_for(n)) for n in range(50)), STOP]
    socket = ScriptedSocket([orjson.dumps(m).decode() for m in script], idle_after=True)
    stream = call_stream(socket, edge_context(publisher))
    running = asyncio.create_task(stream.run())
    await asyncio.sleep(0.2)
    # The reader got through the whole script (the stop included) with Kafka away.
    assert stream._stopped
    publisher.back.set()
    await asyncio.wait_for(running, 5)
    assert publisher.frames == [frame_for(n) for n in range(50)]
    assert [type(e) for e in publisher.events] == [CallStarted, CallEnded]
