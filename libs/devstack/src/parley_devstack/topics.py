"""Creating Parley's Kafka topics (idempotently) with aiokafka's admin client."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Mapping
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code
from parley_contracts.topics import TopicSpec

from parley_devstack.errors import TopicCreationError

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


def _all_leaders_elected(described: list[dict[str, Any]], names: set[str]) -> bool:
    seen = {t["topic"]: t for t in described if t["error_code"] == _NO_ERROR}
    return names <= set(seen) and all(
        partition["leader"] >= 0 for name in names for partition in seen[name]["partitions"]
    )


async def create_topics(
    bootstrap_servers: str,
    topics: Iterable[TopicSpec],
    partitions_override: Mapping[str, int] | None = None,
    *,
    replication_factor: int = 1,
    timeout: float = 30.0,
) -> list[str]:
    """Create the topics that do not exist yet; return the names actually created.

    Existing topics are left alone (a warning is logged when their partition count
    differs from the wanted one). Returns once every new partition has a leader, so
    producers can use the topics straight away.
    """
    wanted = _wanted_partitions(topics, partitions_override)
    if not wanted:
        return []
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers, request_timeout_ms=int(timeout * 1000)
    )
    await admin.start()
    try:
        # List every topic instead of asking for the wanted ones by name: a metadata
        # request naming a missing topic makes brokers with auto-creation on create it
        # with the default partition count.
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
        missing = [name for name in wanted if name not in existing]
        if not missing:
            return []
        response = await admin.create_topics(
            [NewTopic(name, wanted[name], replication_factor) for name in missing],
            timeout_ms=int(timeout * 1000),
        )
        created = _check_response(response.topic_errors)
        await _wait_for_leaders(admin, set(created), timeout)
    finally:
        await admin.close()
    for name in created:
        logger.info("created topic %s (%d partitions)", name, wanted[name])
    return created


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


async def _wait_for_leaders(admin: AIOKafkaAdminClient, names: set[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while names:
        described = await admin.describe_topics(sorted(names))
        if _all_leaders_elected(described, names):
            return
        if time.monotonic() >= deadline:
            raise TopicCreationError(
                f"topics {sorted(names)} were created but have no partition leaders after "
                f"{timeout:.0f} s; check the broker log"
            )
        await asyncio.sleep(0.1)
