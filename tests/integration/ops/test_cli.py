"""The `parley` operator commands when Kafka is not where they were told to look."""

from __future__ import annotations

import socket

import pytest
from parley_ops.cli import main


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    "command", [["topics"], ["inspect", "all"], ["replay", "3f1c9a52-8d4e-4a5b-9c1d-2e7f6a8b9c0d"]]
)
def test_an_unreachable_kafka_is_reported_with_what_to_do(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    bootstrap = f"127.0.0.1:{closed_port()}"
    assert main(["--bootstrap", bootstrap, *command]) == 2
    err = capsys.readouterr().err
    assert f"parley {command[0]}: cannot reach Kafka at {bootstrap}" in err
    assert "KAFKA_BOOTSTRAP_SERVERS" in err
    assert "Traceback" not in err
