"""Shared fixtures: the real local stack (Kafka, Redis, PostgreSQL) started once per run.

Nothing here starts until a test asks for it, so unit tests stay fast and offline.
Set KAFKA_BOOTSTRAP_SERVERS / REDIS_URL / DATABASE_URL to test against existing servers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from parley_contracts import ALL_TOPICS

if TYPE_CHECKING:
    from parley_devstack import LocalStack
    from parley_devstack.local_redis import LocalRedis


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    from parley_devstack import LocalStack, create_topics

    stack = LocalStack(tmp_path_factory.mktemp("stack"))
    stack.start()
    try:
        asyncio.run(create_topics(stack.kafka_connection(), ALL_TOPICS))
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def stack_env(local_stack: LocalStack) -> dict[str, str]:
    return local_stack.env()


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture
def restore_text_sealing() -> Iterator[None]:
    """Put back the process's event text sealing a test changed (directly, or by reading
    Kafka settings)."""
    from parley_contracts import use_text_sealing
    from parley_contracts.codec import text_sealing

    before = text_sealing()
    yield
    use_text_sealing(before)


@pytest.fixture(scope="session")
def secure_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRedis]:
    """A Redis speaking only TLS, with ACL users (``admin``, and ``parley`` with Parley's
    rule): ``url`` is the parley user's, ``security`` has the CA and the passwords."""
    from parley_devstack.local_redis import LocalRedis

    redis = LocalRedis(tmp_path_factory.mktemp("secure-redis"), secure=True)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()
