"""Kafka with SASL_SSL, a user per service and the catalogue's ACLs: a whole call goes
through, and whoever lacks TLS, the right password or the right is refused.

One secure broker (with its own Redis) serves the whole module: starting one costs
tens of seconds on a small machine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import TopicAuthorizationFailedError
from parley_bus import KafkaConnection, KafkaListenerMismatchError, build_broker
from parley_bus.clients import started
from parley_contracts import ALL_TOPICS
from parley_contracts.access import kafka_services
from parley_devstack import LocalStack, create_topics
from parley_devstack.fleet import ServiceFleet, running_fleet
from parley_devstack.kafka_security import KafkaListenerSecurity, service_user
from parley_ops.cli import main as parley

from tests.support.calls import call_saying
from tests.support.failed_start import start_up_output

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def secure_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    # environ={}: local servers even where the environment names external ones.
    stack = LocalStack(
        tmp_path_factory.mktemp("secure-stack"), with_postgres=False, environ={}, secure_kafka=True
    )
    with stack:
        asyncio.run(create_topics(stack.kafka_connection(), ALL_TOPICS))
        yield stack


@pytest.fixture(scope="module")
def security(secure_stack: LocalStack) -> KafkaListenerSecurity:
    assert secure_stack.kafka is not None and secure_stack.kafka.security is not None
    return secure_stack.kafka.security


@pytest.fixture(scope="module")
def secure_fleet(
    secure_stack: LocalStack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceFleet]:
    with running_fleet(
        secure_stack.env(),
        tmp_path_factory.mktemp("secure-services"),
        per_service_env=secure_stack.service_env(),
    ) as fleet:
        yield fleet


# First in the module: the refused writes below must not be what the services log.
async def test_a_whole_call_goes_through_with_each_service_logged_in_as_itself(
    secure_fleet: ServiceFleet,
) -> None:
    for service in kafka_services():
        env = secure_fleet.processes[service].env
        assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
        assert env["KAFKA_SASL_USERNAME"] == service_user(service)
    call = await call_saying(secure_fleet, "I would like to book an appointment")
    (turn,) = call.turns
    assert turn.transcript and turn.reply, turn
    assert call.greeting_audio and turn.reply_audio
    assert secure_fleet.error_lines() == {}


async def test_a_client_without_tls_and_sasl_is_refused(secure_stack: LocalStack) -> None:
    broker = build_broker(KafkaConnection(secure_stack.bootstrap_servers), client_id="plain")
    try:
        with pytest.raises(KafkaListenerMismatchError, match="hung up on a PLAINTEXT client"):
            await broker.start()
    finally:
        await broker.stop()


def test_a_service_with_a_wrong_password_stops_at_start_up_saying_so(
    secure_stack: LocalStack,
) -> None:
    env = {
        **secure_stack.env(),
        **secure_stack.service_env()["janitor"],
        "KAFKA_SASL_PASSWORD": "not-the-password",
    }
    expected = (
        f"Kafka at {secure_stack.bootstrap_servers} refused the credentials of user "
        "'parley-janitor' (SASL SCRAM-SHA-512 over TLS)"
    )
    assert expected in start_up_output("janitor", env)


async def test_nobody_writes_a_topic_the_catalogue_does_not_name_them_a_producer_of(
    secure_stack: LocalStack, security: KafkaListenerSecurity
) -> None:
    """The allowed writes are the call's own; here every other one is tried."""
    for service in kafka_services():
        kafka = security.connection(secure_stack.bootstrap_servers, service_user(service))
        producer = AIOKafkaProducer(**kafka.client_options())
        async with started(producer, kafka):
            for topic in ALL_TOPICS:
                if service in topic.producers:
                    continue
                with pytest.raises(TopicAuthorizationFailedError):
                    await producer.send_and_wait(topic.name, b"-", key=b"acl-check")


def test_the_operator_commands_log_in_as_the_admin(
    secure_stack: LocalStack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in secure_stack.env().items():
        monkeypatch.setenv(name, value)
    assert parley(["topics"]) == 0
    listing = capsys.readouterr().out
    assert all(topic.name in listing for topic in ALL_TOPICS)
