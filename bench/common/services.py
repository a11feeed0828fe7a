"""The system under test: a private Kafka, Redis and PostgreSQL, and the six services."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from parley_contracts import ALL_TOPICS
from parley_devstack import LocalStack, create_topics
from parley_devstack.fleet import ServiceFleet, running_fleet


@contextlib.contextmanager
def running_stack(scratch: Path) -> Iterator[dict[str, str]]:
    """Kafka, Redis and PostgreSQL under `scratch` with every topic laid out; yields the env."""
    stack = LocalStack(scratch / "stack")
    print("starting Kafka, Redis and PostgreSQL ...", flush=True)
    stack.start()
    try:
        env = stack.env()
        asyncio.run(create_topics(env["KAFKA_BOOTSTRAP_SERVERS"], ALL_TOPICS))
        yield env
    finally:
        stack.stop()


@contextlib.contextmanager
def running_system(extra_env: dict[str, str] | None = None) -> Iterator[ServiceFleet]:
    """The whole system on free ports, each service its own process; stopped on exit."""
    with (
        tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp,
        running_stack(Path(tmp)) as env,
    ):
        print("starting the six services ...", flush=True)
        with running_fleet(env, Path(tmp) / "services", extra_env) as fleet:
            try:
                yield fleet
            except BaseException:
                # The logs go with the scratch directory: show what went wrong first (a
                # service that fails to start says so in the error itself).
                for name, lines in fleet.error_lines().items():
                    print(f"{name} errors:\n  " + "\n  ".join(lines[-5:]), file=sys.stderr)
                raise
