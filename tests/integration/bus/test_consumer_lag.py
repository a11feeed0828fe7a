"""Consumer lag is measured from the broker's high watermark and the consumer's position."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from parley_bus import measure_lag
from parley_contracts import CONTROL

pytestmark = pytest.mark.integration
UNUSED_SLOT = CONTROL.partitions - 1


async def test_lag_counts_messages_not_yet_consumed(stack_env: dict[str, str]) -> None:
    bootstrap = stack_env["KAFKA_BOOTSTRAP_SERVERS"]
    tp = TopicPartition(CONTROL.name, UNUSED_SLOT)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await consumer.start()
    await producer.start()
    try:
        consumer.assign([tp])
        await consumer.seek_to_end(tp)
        start = await consumer.position(tp)
        for _ in range(5):
            await producer.send_and_wait(tp.topic, b"{}", key=b"lag-test", partition=tp.partition)
        received = 0
        while received < 5:  # fetch responses tell the consumer the high watermark
            batches = await consumer.getmany(tp, timeout_ms=2000)
            received += sum(len(records) for records in batches.values())
        consumer.seek(tp, start)
        lags = await measure_lag([SimpleNamespace(consumer=consumer)])
        assert lags[(tp.topic, tp.partition)] == 5
        consumer.seek(tp, start + 5)
        assert (await measure_lag([SimpleNamespace(consumer=consumer)]))[
            (tp.topic, tp.partition)
        ] == 0
    finally:
        await producer.stop()
        await consumer.stop()
