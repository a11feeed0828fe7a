from __future__ import annotations

from collections.abc import Iterator

import pytest
from parley_devstack.fleet import ServiceFleet
from parley_devstack.ports import free_ports


@pytest.fixture(scope="module")
def fleet(
    stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceFleet]:
    names = ("edge", "stt", "dialogue", "tts", "janitor", "agent")
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    services = ServiceFleet(stack_env, tmp_path_factory.mktemp("services"), ports=ports)
    try:
        services.start(progress=False)
        yield services
    finally:
        services.stop()
