"""Readiness checks for Kafka: broker reachable, consumers have their partitions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from faststream.kafka import KafkaBroker
from parley_runtime import ReadinessCheck


class KafkaNotReadyError(RuntimeError):
    pass


def kafka_readiness(broker: KafkaBroker, subscribers: Sequence[Any]) -> ReadinessCheck:
    async def check() -> None:
        if not await broker.ping(timeout=2.0):
            raise KafkaNotReadyError("Kafka brokers unreachable")
        for subscriber in subscribers:
            consumer = getattr(subscriber, "consumer", None)
            if consumer is None or not consumer.assignment():
                names = getattr(subscriber, "topic_names_for_subscribe", None) or "partitions"
                raise KafkaNotReadyError(f"no partitions assigned yet for {names}")

    return check
