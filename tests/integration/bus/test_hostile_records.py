"""Records written by anyone reach a Parley handler: no headers, headers that are not
UTF-8, null header values. Nothing is dropped inside the framework."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream.kafka import KafkaMessage
from parley_bus import KafkaConnection, build_broker
from parley_bus.record_parsing import UNDECODABLE_HEADERS

pytestmark = pytest.mark.integration
EVENT = b'{"type": "call.ended", "v": 1, "sessionId": "s-1", "reason": "hangup"}'


async def test_records_without_headers_or_with_unreadable_ones_reach_the_handler(
    stack_env: dict[str, str],
) -> None:
    bootstrap = stack_env["KAFKA_BOOTSTRAP_SERVERS"]
    topic = f"parley.test.hostile-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    await admin.close()

    broker = build_broker(KafkaConnection(bootstrap), client_id="hostile-records-test")
    received: list[tuple[bytes, dict[str, str]]] = []
    all_in = asyncio.Event()

    @broker.subscriber(topic, group_id=f"g-{topic}", auto_offset_reset="earliest")
    async def handle(body: bytes, message: KafkaMessage) -> None:
        received.append((body, dict(message.headers)))
        if len(received) == 3:
            all_in.set()

    dropped_before = UNDECODABLE_HEADERS.labels(topic=topic)._value.get()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await broker.start()
        await producer.send_and_wait(topic, EVENT, key=b"s-1")
        await producer.send_and_wait(
            topic, EVENT, key=b"s-1", headers=[("event-type", b"\xff\xfe"), ("ok", b"yes")]
        )
        await producer.send_and_wait(topic, EVENT, key=b"s-1", headers=[("empty", None)])  # type: ignore[list-item]
        await asyncio.wait_for(all_in.wait(), timeout=30)
    finally:
        await producer.stop()
        await broker.stop()

    assert [body for body, _ in received] == [EVENT, EVENT, EVENT]
    no_headers, unreadable, null_value = (headers for _, headers in received)
    assert "event-type" not in unreadable and unreadable["ok"] == "yes"
    assert null_value["empty"] == ""
    assert "event-type" not in no_headers
    assert UNDECODABLE_HEADERS.labels(topic=topic)._value.get() == dropped_before + 1
