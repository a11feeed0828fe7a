"""Creating Parley's Kafka topics (idempotently) with aiokafka's admin client.

Existing topics are brought to the retention of the data they hold
(:mod:`parley_devstack.retention`); their partition counts are left as they are.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, KafkaTimeoutError, TopicAlreadyExistsError, for_code
from parley_bus import KafkaAccessError, KafkaConnection
from parley_bus import KafkaUnreachableError as NoKafkaAnswers
from parley_bus.clients import started
from parley_contracts.topics import CallerData, TopicSpec

from parley_devstack.errors import KafkaRefusedError, KafkaUnreachableError, TopicCreationError
from parley_devstack.retention import align_topic_configs, wanted_configs

logger = logging.getLogger(__name__)

_NO_ERROR = 0


def _wanted_partitions(
    topics: Iterable[TopicSpec], partitions_override: Mapping[str, int] | None
) -> dict[str, int]:
    wanted = {spec.name: spec.partitions for spec in topics}
    override = dict(partitions_override or {})
    unknown = sorted(set(override) - set(wanted))
    if unknown:
        raise ValueError(f"partitions_override names topics that are not being created: {unknown}")
    wanted.update(override)
    return wanted


def _partition_counts(described: list[dict[str, Any]]) -> dict[str, int]:
    return {
        topic["topic"]: len(topic["partitions"])
        for topic in described
        if topic["error_code"] == _NO_ERROR
    }


async def create_topics(
    kafka: KafkaConnection | str,
    topics: Iterable[TopicSpec],
    partitions_override: Mapping[str, int] | None = None,
    *,
    replication_factor: int = 1,
    retention: Mapping[CallerData, timedelta] | None = None,
    timeout: float = 30.0,
) -> list[str]:
    """Create the topics that do not exist yet; return the names actually created.

    Every topic gets the retention of the data it holds (``retention``, default the
    catalogue's): new ones are created with it, existing ones altered to it (one log
    line per change). An existing topic's partition count is left alone (a warning is
    logged when it differs from the wanted one). Returns once every new partition is
    served by its leader, so producers can use the topics straight away. ``kafka``
    given as bare bootstrap servers means a PLAINTEXT connection.
    """
    topics = tuple(topics)
    wanted = _wanted_partitions(topics, partitions_override)
    configs = wanted_configs(topics, retention)
    if not wanted:
        return []
    connection = kafka if isinstance(kafka, KafkaConnection) else KafkaConnection(kafka)
    admin = AIOKafkaAdminClient(
        **connection.client_options(), request_timeout_ms=int(timeout * 1000)
    )
    async with _admin_started(admin, connection):
        # List every topic instead of asking for the wanted ones by name: a metadata
        # request naming a missing topic makes brokers with auto-creation on create it
        # with the default partition count.
        await _wait_for_group_coordinator(admin, timeout)
        present = set(await admin.list_topics()) & set(wanted)
        existing = (
            _partition_counts(await admin.describe_topics(sorted(present))) if present else {}
        )
        for name, count in existing.items():
            if count != wanted[name]:
                logger.warning(
                    "topic %s exists with %d partitions, wanted %d; left unchanged",
                    name,
                    count,
                    wanted[name],
                )
        await align_topic_configs(admin, {name: configs[name] for name in existing})
        missing = [name for name in wanted if name not in existing]
        if not missing:
            return []
        response = await admin.create_topics(
            [
                NewTopic(name, wanted[name], replication_factor, topic_configs=configs[name])
                for name in missing
            ],
            timeout_ms=int(timeout * 1000),
        )
        created = _check_response(response.topic_errors)
    if created:
        await _wait_until_writable(connection, {name: wanted[name] for name in created}, timeout)
    for name in created:
        logger.info("created topic %s (%d partitions)", name, wanted[name])
    return created


@contextlib.asynccontextmanager
async def _admin_started(
    admin: AIOKafkaAdminClient, connection: KafkaConnection
) -> AsyncIterator[AIOKafkaAdminClient]:
    try:
        async with started(admin, connection):
            yield admin
    except NoKafkaAnswers as exc:
        raise KafkaUnreachableError(f"{exc} (a local one: `parley-stack up`)") from exc
    except KafkaAccessError as exc:
        raise KafkaRefusedError(str(exc)) from exc


async def _wait_for_group_coordinator(admin: AIOKafkaAdminClient, timeout: float) -> None:
    """Return once the broker can coordinate consumer groups.

    A fresh broker creates its internal offsets topic on the first coordinator lookup;
    until that is done every consumer joining a group logs a coordinator error. Doing
    the lookup here keeps services that start right after setup from seeing it.
    """
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            await admin.find_coordinator("parley-stack-setup")
            return
        except KafkaError as exc:
            if not exc.retriable or asyncio.get_running_loop().time() > deadline:
                raise TopicCreationError(
                    f"the Kafka broker cannot coordinate consumer groups ({exc!r}); "
                    "check the broker log"
                ) from exc
            await asyncio.sleep(0.2)


def _check_response(topic_errors: list[tuple[Any, ...]]) -> list[str]:
    created: list[str] = []
    failures: list[str] = []
    for name, code, *details in topic_errors:
        if code == _NO_ERROR:
            created.append(name)
        elif code != TopicAlreadyExistsError.errno:
            message = details[0] if details and details[0] else for_code(code).__name__
            failures.append(f"{name}: {message}")
    if failures:
        raise TopicCreationError(
            "Kafka refused to create topics; check the broker log and the partition "
            f"and replication settings: {'; '.join(failures)}"
        )
    return created


async def _wait_until_writable(
    connection: KafkaConnection, partitions: Mapping[str, int], timeout: float
) -> None:
    """Return once every partition's leader answers a ListOffsets request.

    Metadata names a leader slightly before that broker has opened the partition's
    log; a producer arriving in that gap gets NotLeaderForPartition and retries.
    ListOffsets succeeds only once the leader is really serving, and aiokafka
    retries it until then.
    """
    consumer = AIOKafkaConsumer(
        **connection.client_options(),
        request_timeout_ms=int(timeout * 1000),
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        await consumer.end_offsets(
            [
                TopicPartition(name, index)
                for name, count in partitions.items()
                for index in range(count)
            ]
        )
    except KafkaTimeoutError as exc:
        raise TopicCreationError(
            f"topics {sorted(partitions)} were created but not all partitions were writable "
            f"after {timeout:.0f} s; check the broker log"
        ) from exc
    finally:
        await consumer.stop()
