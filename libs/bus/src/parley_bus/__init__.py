"""Kafka plumbing shared by every service (built on FastStream)."""

from parley_bus.broker import KafkaSubscriber, build_broker, group_subscriber, slot_subscriber
from parley_bus.decoding import decode_or_skip, event_decoder
from parley_bus.publish import BusPublisher
from parley_bus.readiness import KafkaNotReadyError, kafka_readiness

__all__ = [
    "BusPublisher",
    "KafkaNotReadyError",
    "KafkaSubscriber",
    "build_broker",
    "decode_or_skip",
    "event_decoder",
    "group_subscriber",
    "kafka_readiness",
    "slot_subscriber",
]
