from __future__ import annotations

from collections.abc import Iterator

import pytest
from parley_devstack.fleet import ServiceFleet
from parley_devstack.ports import free_ports

SERVICES = ("edge", "stt", "dialogue", "tts", "janitor", "agent")


@pytest.fixture(scope="module")
def fleet(
    stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceFleet]:
    """All services, with a second stt worker sharing the first one's consumer group."""
    ports = free_ports(len(SERVICES) + 1)
    services = ServiceFleet(
        stack_env,
        tmp_path_factory.mktemp("chaos"),
        ports=dict(zip(SERVICES, ports, strict=False)),
    )
    try:
        services.start(progress=False)
        services.add_instance("stt", "stt-2", ports[-1])
        yield services
    finally:
        services.stop()
