"""Kafka plumbing shared by every service (built on FastStream)."""

from parley_bus.broker import KafkaSubscriber, build_broker, group_subscriber, slot_subscriber
from parley_bus.connection import KafkaConnection, KafkaSettingsError
from parley_bus.decoding import decode_or_skip, event_decoder
from parley_bus.diagnosis import (
    KafkaAccessError,
    KafkaAuthenticationError,
    KafkaListenerMismatchError,
    KafkaTlsError,
    KafkaUnreachableError,
    explain_failure,
)
from parley_bus.lag import CONSUMER_LAG, ConsumerLagMonitor, measure_lag, running_broker
from parley_bus.publish import BusPublisher
from parley_bus.readiness import KafkaNotReadyError, kafka_readiness
from parley_bus.settings import KafkaSettings

__all__ = [
    "CONSUMER_LAG",
    "BusPublisher",
    "ConsumerLagMonitor",
    "KafkaAccessError",
    "KafkaAuthenticationError",
    "KafkaConnection",
    "KafkaListenerMismatchError",
    "KafkaNotReadyError",
    "KafkaSettings",
    "KafkaSettingsError",
    "KafkaSubscriber",
    "KafkaTlsError",
    "KafkaUnreachableError",
    "build_broker",
    "decode_or_skip",
    "event_decoder",
    "explain_failure",
    "group_subscriber",
    "kafka_readiness",
    "measure_lag",
    "running_broker",
    "slot_subscriber",
]
