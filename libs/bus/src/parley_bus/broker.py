"""The Kafka broker every service builds, and the consumer settings they share."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.coordinator.assignors.range import RangePartitionAssignor
from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker, TopicPartition
from faststream.kafka.subscriber.usecase import DefaultSubscriber
from parley_contracts import TopicSpec

from parley_bus.connection import KafkaConnection
from parley_bus.diagnosis import KafkaUnreachableError, explain_failure
from parley_bus.partitioner import RememberingKeyPartitioner
from parley_bus.record_parsing import parse_record, raw_body

log = logging.getLogger(__name__)
KafkaSubscriber = DefaultSubscriber

# aiokafka waits up to fetch_max_wait_ms for data when a partition is idle; at the
# default 500 ms a quiet call's first frame can sit in the broker for half a second.
FETCH_MAX_WAIT_MS = 20
# Audio frames are tiny and latency-critical; a millisecond of linger batches the burst
# of frames a synthesised sentence produces without delaying a lone frame noticeably.
LINGER_MS = 1
# How long a service waits at start for a Kafka that does not answer yet.
START_WAIT_S = 20.0


class ExplainingKafkaBroker(KafkaBroker):
    """A KafkaBroker whose failure to connect says why: refused credentials, an
    untrusted certificate or another listener protocol, not just "Unable to bootstrap"."""

    def __init__(self, connection: KafkaConnection, **options: Any) -> None:
        super().__init__(connection.bootstrap_servers, **connection.broker_options(), **options)
        self.kafka_connection = connection

    async def _connect(self) -> Callable[..., AIOKafkaConsumer]:
        """A broker that is not answering yet (starting, restarting, a loaded machine)
        is waited for up to START_WAIT_S; refused credentials or certificates fail at once."""
        deadline = time.monotonic() + START_WAIT_S
        pause_s = 0.5
        while True:
            try:
                return await super()._connect()
            except (KafkaError, OSError) as exc:
                reason = await explain_failure(self.kafka_connection)
                waiting = reason is None or isinstance(reason, KafkaUnreachableError)
                if not waiting or time.monotonic() + pause_s > deadline:
                    if reason is None:
                        raise
                    raise reason from exc
                log.warning(
                    "Kafka is not answering yet; trying again",
                    extra={"event": "bus.connect_retry", "error": str(reason or exc)},
                )
            await asyncio.sleep(pause_s)
            pause_s = min(pause_s * 2, 4.0)


def build_broker(connection: KafkaConnection, client_id: str) -> KafkaBroker:
    return ExplainingKafkaBroker(
        connection,
        client_id=client_id,
        acks="all",
        linger_ms=LINGER_MS,
        partitioner=RememberingKeyPartitioner(),
        request_timeout_ms=10_000,
        # Records are read the same way everywhere: unreadable headers dropped (counted),
        # bodies handed over as bytes for the handler's own event decoding.
        parser=parse_record,
        decoder=raw_body,
        # Per-message "received/processed" lines would be 50 lines per second per call.
        log_level=logging.DEBUG,
    )


def group_subscriber(broker: KafkaBroker, group_id: str, *topics: TopicSpec) -> KafkaSubscriber:
    """A subscriber in a consumer group (the workers): partitions shared among instances.

    Several topics with equal partition counts are co-partitioned: the range assignor
    gives one instance the same partition numbers of each, so a call's audio and its
    lifecycle events (both keyed by session id) reach the same worker.
    """
    counts = {t.partitions for t in topics}
    if len(counts) > 1:
        raise ValueError(f"co-partitioned topics need equal partition counts, got {counts}")
    return broker.subscriber(
        *(t.name for t in topics),
        group_id=group_id,
        partition_assignment_strategy=(RangePartitionAssignor,),
        auto_offset_reset="earliest",
        fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
        # A worker that dies is replaced after this long (the broker's minimum is 6 s).
        session_timeout_ms=6_000,
        heartbeat_interval_ms=1_000,
    )


def slot_subscriber(broker: KafkaBroker, topic: TopicSpec, slot: int) -> KafkaSubscriber:
    """A subscriber reading one partition by manual assignment (an edge reading its slot).

    It starts at the end: replies queued for a previous holder of the slot are stale.
    """
    return broker.subscriber(
        partitions=[TopicPartition(topic.name, slot)],
        auto_offset_reset="latest",
        fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
    )
