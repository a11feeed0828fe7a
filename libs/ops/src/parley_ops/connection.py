"""Starting aiokafka clients with an error that tells the operator what to do."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaConnectionError

Client = TypeVar("Client", AIOKafkaConsumer, AIOKafkaProducer, AIOKafkaAdminClient)


class KafkaUnreachableError(ConnectionError):
    pass


async def _close(client: AIOKafkaConsumer | AIOKafkaProducer | AIOKafkaAdminClient) -> None:
    if isinstance(client, AIOKafkaAdminClient):
        await client.close()
    else:
        await client.stop()


@asynccontextmanager
async def connected(client: Client, bootstrap: str) -> AsyncIterator[Client]:
    """`client`, started; closed on exit (also when it could not connect)."""
    try:
        await client.start()
    except KafkaConnectionError as exc:
        await _close(client)
        raise KafkaUnreachableError(
            f"cannot reach Kafka at {bootstrap}: start the local stack (make run) or point "
            "--bootstrap / KAFKA_BOOTSTRAP_SERVERS at a running broker"
        ) from exc
    try:
        yield client
    finally:
        await _close(client)
