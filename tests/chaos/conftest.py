from __future__ import annotations

from collections.abc import Iterator

import pytest
from parley_devstack.fleet import ServiceFleet
from parley_devstack.ports import free_ports

SERVICES = ("edge", "stt", "dialogue", "tts", "janitor", "agent")
# Workers that get a second instance in the same consumer group.
DOUBLED = ("stt", "dialogue", "tts")


@pytest.fixture(scope="module")
def fleet(
    stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceFleet]:
    """All services, with a second stt, dialogue and tts worker sharing each group."""
    ports = free_ports(len(SERVICES) + len(DOUBLED))
    services = ServiceFleet(
        stack_env,
        tmp_path_factory.mktemp("chaos"),
        ports=dict(zip(SERVICES, ports, strict=False)),
    )
    try:
        services.start(progress=False)
        for service, port in zip(DOUBLED, ports[len(SERVICES) :], strict=True):
            services.add_instance(service, f"{service}-2", port)
        yield services
    finally:
        services.stop()
