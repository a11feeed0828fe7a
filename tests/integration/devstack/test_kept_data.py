"""A stack that keeps its data (make run's) starts again with it, after a stop or a
SIGKILL: Kafka's topics and messages, Redis's keys and PostgreSQL's rows; once its data
is discarded, or when it keeps nothing, a start begins empty."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import shutil
import signal
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from parley_contracts.topics import ALL_TOPICS, TopicSpec
from parley_devstack import LocalStack, create_topics
from parley_devstack.supervisor import Supervisor

pytestmark = pytest.mark.integration

KEPT_TOPIC: TopicSpec = dataclasses.replace(ALL_TOPICS[0], name="devstack.test.kept", partitions=1)
CATALOGUE = [*ALL_TOPICS, KEPT_TOPIC]
KEY = b"kept-call"


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A folder the postgres account can reach when the tests run as root (pytest's own
    are private, and PostgreSQL would then keep its cluster in a temporary folder)."""
    folder = Path(tempfile.mkdtemp(prefix="parley-kept-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def started(data_dir: Path, *, keep_data: bool = True) -> Iterator[LocalStack]:
    # An empty environ: the developer's KAFKA_BOOTSTRAP_SERVERS etc. must not count.
    stack = LocalStack(data_dir, environ={}, keep_data=keep_data)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


async def write_everywhere(stack: LocalStack, value: bytes) -> None:
    assert sorted(await create_topics(stack.bootstrap_servers, CATALOGUE)) == sorted(
        spec.name for spec in CATALOGUE
    )
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(KEPT_TOPIC.name, value, key=KEY)
    finally:
        await producer.stop()
    client = aioredis.from_url(stack.redis_url)
    try:
        await client.set("kept:session", value)
    finally:
        await client.aclose()
    connection = await asyncpg.connect(stack.database_url)
    try:
        await connection.execute("CREATE TABLE kept (note bytea)")
        await connection.execute("INSERT INTO kept VALUES ($1)", value)
    finally:
        await connection.close()


async def kafka_values(stack: LocalStack) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        KEPT_TOPIC.name,
        bootstrap_servers=stack.bootstrap_servers,
        group_id=f"kept-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=5000)
        return [m.value for messages in batches.values() for m in messages if m.value]
    finally:
        await consumer.stop()


async def redis_value(stack: LocalStack) -> bytes | None:
    client = aioredis.from_url(stack.redis_url)
    try:
        value = await client.get("kept:session")
        assert value is None or isinstance(value, bytes)
        return value
    finally:
        await client.aclose()


async def postgres_notes(stack: LocalStack) -> list[bytes] | None:
    connection = await asyncpg.connect(stack.database_url)
    try:
        if await connection.fetchval("SELECT to_regclass('kept')") is None:
            return None
        return [bytes(row["note"]) for row in await connection.fetch("SELECT note FROM kept")]
    finally:
        await connection.close()


async def test_a_stack_that_keeps_its_data_starts_again_with_it(data_dir: Path) -> None:
    value = uuid.uuid4().hex.encode()
    with started(data_dir) as first:
        await write_everywhere(first, value)

    # On new ports, most likely: the kept data does not depend on them.
    with started(data_dir) as second:
        assert await create_topics(second.bootstrap_servers, CATALOGUE) == []
        assert await kafka_values(second) == [value]
        assert await redis_value(second) == value
        assert await postgres_notes(second) == [value]


async def test_without_its_data_a_stack_starts_empty(data_dir: Path) -> None:
    with started(data_dir) as first:
        await write_everywhere(first, b"old")

    # A stack that keeps nothing (the tests') ignores what was kept...
    with started(data_dir, keep_data=False) as throwaway:
        assert await redis_value(throwaway) is None
        assert await postgres_notes(throwaway) is None
    # ...and discarding the data (make run CLEAN=1) leaves nothing to keep.
    stack = LocalStack(data_dir, environ={}, keep_data=True)
    stack.discard_data()
    with started(data_dir) as fresh:
        assert len(await create_topics(fresh.bootstrap_servers, CATALOGUE)) == len(CATALOGUE)
        assert await kafka_values(fresh) == []
        assert await redis_value(fresh) is None
        assert await postgres_notes(fresh) is None


async def test_killed_servers_are_restarted_with_their_data(data_dir: Path) -> None:
    """make run's supervisor brings a SIGKILLed Kafka, Redis and PostgreSQL back on
    their ports, with what was written before the kill."""
    value = uuid.uuid4().hex.encode()
    with started(data_dir) as stack:
        await write_everywhere(stack, value)
        settings = stack.env()
        said: list[str] = []
        supervisor = Supervisor(stack.processes(), say=said.append)
        supervisor.check()

        for process in stack.processes().values():
            assert process.pid is not None
            os.kill(process.pid, signal.SIGKILL)
        while len([line for line in said if line.endswith(" is ready again")]) < 3:
            supervisor.check()
            await asyncio.sleep(0.2)

        assert stack.env() == settings
        assert await kafka_values(stack) == [value]
        assert await redis_value(stack) == value
        assert await postgres_notes(stack) == [value]
        assert sorted(line.split()[1] for line in said if line.startswith("!!  ")) == [
            "kafka",
            "postgres",
            "redis",
        ]
