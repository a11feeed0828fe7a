"""Shared fixtures: the real local stack (Kafka, Redis, PostgreSQL) started once per run.

Nothing here starts until a test asks for it, so unit tests stay fast and offline.
Set KAFKA_BOOTSTRAP_SERVERS / REDIS_URL / DATABASE_URL to test against existing servers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from parley_contracts import ALL_TOPICS


@pytest.fixture(scope="session")
def stack_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    from parley_devstack import LocalStack, create_topics

    stack = LocalStack(tmp_path_factory.mktemp("stack"))
    stack.start()
    try:
        env = stack.env()
        asyncio.run(create_topics(env["KAFKA_BOOTSTRAP_SERVERS"], ALL_TOPICS))
        yield env
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
