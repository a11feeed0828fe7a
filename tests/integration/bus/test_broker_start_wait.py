"""A service started while Kafka is not answering yet waits for it (a broker starting
or restarting, a loaded machine) instead of exiting at once; one that never answers
still fails with the reason."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest
from parley_bus import KafkaConnection, build_broker
from parley_bus import broker as broker_module
from parley_bus.diagnosis import KafkaUnreachableError

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


async def test_a_broker_that_answers_late_is_waited_for(
    stack_env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    host, kafka_port = stack_env["KAFKA_BOOTSTRAP_SERVERS"].split(":")
    port = free_port()
    broker = build_broker(KafkaConnection(f"127.0.0.1:{port}"), client_id="start-wait-test")

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(host, int(kafka_port))
        await asyncio.gather(forward(reader, upstream_writer), forward(upstream_reader, writer))

    async def open_late() -> asyncio.Server:
        await asyncio.sleep(2.0)  # nothing listens on the port until then
        return await asyncio.start_server(pipe, "127.0.0.1", port)

    # The broker advertises its own address, so only the bootstrap goes through `port`.
    opening = asyncio.create_task(open_late())
    with caplog.at_level(logging.WARNING, logger="parley_bus.broker"):
        await broker.start()
    server = await opening
    try:
        assert any(r.msg.startswith("Kafka is not answering yet") for r in caplog.records)
    finally:
        await broker.stop()
        server.close()


async def test_a_broker_that_never_answers_fails_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(broker_module, "START_WAIT_S", 1.0)
    broker = build_broker(KafkaConnection(f"127.0.0.1:{free_port()}"), client_id="start-wait")
    with pytest.raises(KafkaUnreachableError):
        await broker.start()
    await broker.stop()
