from __future__ import annotations

from collections.abc import Iterator

import pytest
from parley_devstack.fleet import ServiceFleet, running_fleet
from parley_devstack.ports import free_ports

# Workers that get a second instance in the same consumer group.
DOUBLED = ("stt", "dialogue", "tts")


@pytest.fixture(scope="module")
def fleet(
    stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceFleet]:
    """All services, with a second stt, dialogue and tts worker sharing each group."""
    with running_fleet(stack_env, tmp_path_factory.mktemp("chaos")) as services:
        for service, port in zip(DOUBLED, free_ports(len(DOUBLED)), strict=True):
            services.add_instance(service, f"{service}-2", port)
        yield services
