"""Plain aiokafka clients (the ``parley`` commands, the local stack's admin) started the
one way: with the connection's security, closed on exit, and a failure to start
explained like the services' brokers explain theirs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from parley_bus.connection import KafkaConnection
from parley_bus.diagnosis import KafkaUnreachableError, explain_failure

Client = TypeVar("Client", AIOKafkaConsumer, AIOKafkaProducer, AIOKafkaAdminClient)


async def _close(client: AIOKafkaConsumer | AIOKafkaProducer | AIOKafkaAdminClient) -> None:
    if isinstance(client, AIOKafkaAdminClient):
        await client.close()
    else:
        await client.stop()


@asynccontextmanager
async def started(client: Client, connection: KafkaConnection) -> AsyncIterator[Client]:
    """``client`` (built from ``connection.client_options()``), started; closed on exit,
    and also when it could not start, which raises a :class:`KafkaAccessError`."""
    try:
        await client.start()
    except (KafkaError, OSError) as exc:
        await _close(client)
        reason = await explain_failure(connection)
        raise reason or KafkaUnreachableError(
            f"Kafka at {connection.bootstrap_servers} could not be used ({exc!r})"
        ) from exc
    try:
        yield client
    finally:
        await _close(client)
