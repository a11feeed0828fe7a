"""A real Kafka, Redis and PostgreSQL started by LocalStack, used, restarted, stopped."""

from __future__ import annotations

import dataclasses
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as aioredis
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from parley_contracts.topics import ALL_TOPICS, TopicSpec
from parley_devstack import LocalRedis, LocalStack, PortInUseError, create_topics

pytestmark = pytest.mark.integration

TEST_TOPIC: TopicSpec = dataclasses.replace(
    ALL_TOPICS[0], name="devstack.test.roundtrip", partitions=3
)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _group_members(pgid: int) -> list[int]:
    """Pids of live processes in process group ``pgid`` (read from /proc)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[0] is the state (field 3); the group id is field 5.
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    # An empty environ: the developer's KAFKA_BOOTSTRAP_SERVERS etc. must not make
    # this test use external services.
    local = LocalStack(tmp_path_factory.mktemp("devstack"), environ={})
    local.start()
    try:
        yield local
    finally:
        local.stop()


def test_env_names_every_service(stack: LocalStack) -> None:
    env = stack.env()

    assert env["KAFKA_BOOTSTRAP_SERVERS"] == stack.bootstrap_servers
    assert env["KAFKA_BOOTSTRAP_SERVERS"].startswith("127.0.0.1:")
    assert env["REDIS_URL"].startswith("redis://127.0.0.1:")
    assert env["DATABASE_URL"].startswith("postgresql://parley:parley@127.0.0.1:")
    assert set(stack.pids()) == {"kafka", "redis", "postgres"}


async def test_create_topics_is_idempotent(stack: LocalStack) -> None:
    first = await create_topics(stack.bootstrap_servers, ALL_TOPICS, {"parley.control": 2})
    second = await create_topics(stack.bootstrap_servers, ALL_TOPICS)

    assert sorted(first) == sorted(spec.name for spec in ALL_TOPICS)
    assert second == []
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.bootstrap_servers)
    await admin.start()
    try:
        described = {t["topic"]: len(t["partitions"]) for t in await admin.describe_topics()}
    finally:
        await admin.close()
    assert described["parley.control"] == 2
    assert described["parley.audio.out"] == 16


async def test_kafka_round_trip(stack: LocalStack) -> None:
    await create_topics(stack.bootstrap_servers, [TEST_TOPIC])
    key = uuid.uuid4().hex.encode()

    await _produce(stack.bootstrap_servers, key, b"hello")

    assert await _read_value(stack.bootstrap_servers, key) == b"hello"


async def test_redis_set_get(stack: LocalStack) -> None:
    client = aioredis.from_url(stack.redis_url)
    try:
        await client.set("devstack:probe", "value")
        assert await client.get("devstack:probe") == b"value"
    finally:
        await client.aclose()


async def test_postgres_query(stack: LocalStack) -> None:
    connection = await asyncpg.connect(stack.database_url)
    try:
        user, database = await connection.fetchrow("SELECT current_user, current_database()")
        await connection.execute("CREATE TABLE probe (id int PRIMARY KEY, note text)")
        await connection.execute("INSERT INTO probe VALUES (1, 'kept')")
        note = await connection.fetchval("SELECT note FROM probe WHERE id = 1")
    finally:
        await connection.close()
    assert (user, database, note) == ("parley", "parley", "kept")


async def test_kafka_restart_keeps_topics_and_messages(stack: LocalStack) -> None:
    assert stack.kafka is not None
    await create_topics(stack.bootstrap_servers, [TEST_TOPIC])
    key = uuid.uuid4().hex.encode()
    await _produce(stack.bootstrap_servers, key, b"before restart")
    servers, old_pid = stack.bootstrap_servers, stack.kafka.pid
    assert old_pid is not None

    stack.kafka.restart()

    assert stack.bootstrap_servers == servers
    assert stack.kafka.pid != old_pid
    assert not _process_exists(old_pid)
    assert await create_topics(stack.bootstrap_servers, [TEST_TOPIC]) == []
    assert await _read_value(stack.bootstrap_servers, key) == b"before restart"


def test_stop_leaves_no_process(stack: LocalStack) -> None:
    pids = stack.pids()
    assert stack.postgres is not None
    cluster_dir = stack.postgres.cluster_dir
    assert all(_process_exists(pid) for pid in pids.values())

    stack.stop()

    for name, pid in pids.items():
        assert not _process_exists(pid), f"{name} (pid {pid}) still running"
        assert _group_members(pid) == [], f"{name} left children behind"
    # As root, pytest's private temp folder is out of the postgres account's reach,
    # so the cluster goes to a temporary folder, which stop() must remove.
    assert cluster_dir is not None
    assert cluster_dir.is_relative_to(stack.data_dir) or not cluster_dir.exists()


def test_taken_port_is_reported_with_the_log(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        redis_server = LocalRedis(tmp_path, port=holder.getsockname()[1])

        with pytest.raises(PortInUseError, match="Address already in use"):
            redis_server.start(timeout=10)

    assert redis_server.pid is not None and not _process_exists(redis_server.pid)


def test_services_die_with_a_killed_owner(tmp_path: Path) -> None:
    # The owner starts Redis, reports its pid and kills itself with SIGKILL, which
    # skips atexit; the reaper must stop Redis anyway.
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from parley_devstack import LocalRedis\n"
        "server = LocalRedis(Path(sys.argv[1]))\n"
        "server.start()\n"
        "print(server.pid, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    owner = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert owner.returncode == -signal.SIGKILL, owner.stderr
    redis_pid = int(owner.stdout.strip())

    deadline = time.monotonic() + 20
    while _process_exists(redis_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _process_exists(redis_pid)


async def _produce(bootstrap_servers: str, key: bytes, value: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(TEST_TOPIC.name, value, key=key)
    finally:
        await producer.stop()


async def _read_value(bootstrap_servers: str, key: bytes) -> bytes | None:
    """The value of the first message with ``key`` on the test topic (10 s at most)."""
    consumer = AIOKafkaConsumer(
        TEST_TOPIC.name,
        bootstrap_servers=bootstrap_servers,
        group_id=f"devstack-test-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for messages in batches.values():
                for message in messages:
                    if message.key == key:
                        value: bytes | None = message.value
                        return value
    finally:
        await consumer.stop()
    return None
