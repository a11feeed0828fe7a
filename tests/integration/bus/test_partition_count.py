"""A topic's partitions are counted from the broker, not taken from the catalogue."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from parley_bus import BusPublisher, KafkaConnection, build_broker
from parley_contracts import CONTROL
from parley_devstack import create_topics

pytestmark = pytest.mark.integration


async def test_partition_count_is_the_brokers_not_the_catalogues(
    stack_env: dict[str, str],
) -> None:
    bootstrap = stack_env["KAFKA_BOOTSTRAP_SERVERS"]
    # A deployment that made its control topic smaller than the catalogue says.
    topic = dataclasses.replace(CONTROL, name=f"parley.test.slots-{uuid.uuid4().hex[:8]}")
    await create_topics(bootstrap, [topic], {topic.name: 3})
    broker = build_broker(KafkaConnection(bootstrap), client_id="bus-test-partitions")
    await broker.start()
    try:
        publisher = BusPublisher(broker)
        assert await publisher.partition_count(topic) == 3
        assert await publisher.partition_count(CONTROL) == CONTROL.partitions
    finally:
        await broker.stop()
