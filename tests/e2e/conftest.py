from __future__ import annotations

from collections.abc import Iterator

import pytest
from parley_devstack.fleet import ServiceFleet, running_fleet


@pytest.fixture(scope="module")
def fleet(
    stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceFleet]:
    with running_fleet(stack_env, tmp_path_factory.mktemp("services")) as services:
        yield services
