from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from parley_bus import BusPublisher, KafkaConnection, build_broker

from tests.fakes.twilio_rest import FakeTwilioRest
from tests.integration.edge.harness import AUTH_TOKEN, Edge, KafkaWatch, running_edge


@pytest.fixture(scope="module")
def twilio_api() -> Iterator[FakeTwilioRest]:
    fake = FakeTwilioRest(AUTH_TOKEN).start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="module")
def edges(
    stack_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    twilio_api: FakeTwilioRest,
) -> Iterator[tuple[Edge, Edge]]:
    logs = tmp_path_factory.mktemp("edges")
    with (
        running_edge(stack_env, logs, 0, twilio_api_url=twilio_api.url) as first,
        running_edge(stack_env, logs, 1, twilio_api_url=twilio_api.url) as second,
    ):
        yield first, second


@pytest.fixture
async def kafka(stack_env: dict[str, str]) -> AsyncIterator[KafkaWatch]:
    watch = KafkaWatch(stack_env["KAFKA_BOOTSTRAP_SERVERS"])
    await watch.start()
    try:
        yield watch
    finally:
        await watch.stop()


@pytest.fixture(scope="module")
async def replies(stack_env: dict[str, str]) -> AsyncIterator[BusPublisher]:
    """Publishes what tts and dialogue would: agent audio and control, to an edge's slot."""
    broker = build_broker(
        KafkaConnection(stack_env["KAFKA_BOOTSTRAP_SERVERS"]), client_id="edge-test-replies"
    )
    await broker.start()
    try:
        yield BusPublisher(broker)
    finally:
        await broker.stop()
