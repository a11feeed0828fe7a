"""Topics carry the retention of the data they hold, on a real broker: new ones are
created with it, existing ones are altered to it without losing their other overrides."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from parley_contracts.topics import AUDIO_IN, CALL_EVENTS, TRANSCRIPTS, CallerData, TopicSpec
from parley_devstack import create_topics

pytestmark = pytest.mark.integration

HOUR_MS = "3600000"


def _renamed(spec: TopicSpec) -> TopicSpec:
    return dataclasses.replace(spec, name=f"parley.test.retention-{uuid.uuid4().hex[:8]}")


@pytest.fixture
async def admin(stack_env: dict[str, str]) -> AsyncIterator[AIOKafkaAdminClient]:
    client = AIOKafkaAdminClient(bootstrap_servers=stack_env["KAFKA_BOOTSTRAP_SERVERS"])
    await client.start()
    try:
        yield client
    finally:
        await client.close()


async def _configs(admin: AIOKafkaAdminClient, topic: str) -> dict[str, str]:
    [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    [resource] = response.to_object()["resources"]
    return {e["config_names"]: e["config_value"] for e in resource["config_entries"]}


async def test_new_topics_are_created_with_the_retention_of_what_they_hold(
    stack_env: dict[str, str], admin: AIOKafkaAdminClient
) -> None:
    audio, text, events = _renamed(AUDIO_IN), _renamed(TRANSCRIPTS), _renamed(CALL_EVENTS)
    retention = {CallerData.TEXT: timedelta(hours=6)}

    await create_topics(
        stack_env["KAFKA_BOOTSTRAP_SERVERS"], [audio, text, events], retention=retention
    )

    audio_configs = await _configs(admin, audio.name)
    assert audio_configs["retention.ms"] == HOUR_MS  # the catalogue's default for audio
    assert audio_configs["segment.ms"] == str(15 * 60 * 1000)  # a quarter of it
    assert (await _configs(admin, text.name))["retention.ms"] == str(6 * 3600 * 1000)
    assert (await _configs(admin, events.name))["retention.ms"] == str(24 * 3600 * 1000)


async def test_an_existing_topic_is_brought_in_line_and_keeps_its_other_overrides(
    stack_env: dict[str, str], admin: AIOKafkaAdminClient, caplog: pytest.LogCaptureFixture
) -> None:
    topic = _renamed(AUDIO_IN)
    await admin.create_topics(
        [NewTopic(topic.name, 1, 1, topic_configs={"max.message.bytes": "200000"})]
    )
    assert (await _configs(admin, topic.name))["retention.ms"] == str(7 * 24 * 3600 * 1000)

    with caplog.at_level(logging.INFO, logger="parley_devstack"):
        created = await create_topics(stack_env["KAFKA_BOOTSTRAP_SERVERS"], [topic])

    assert created == []
    configs = await _configs(admin, topic.name)
    assert configs["retention.ms"] == HOUR_MS
    assert configs["segment.ms"] == str(15 * 60 * 1000)
    assert configs["max.message.bytes"] == "200000"
    changes = [r.getMessage() for r in caplog.records if "changed topic config" in r.getMessage()]
    assert changes == [
        f"changed topic config {topic.name}: retention.ms broker default -> {HOUR_MS}",
        f"changed topic config {topic.name}: segment.ms broker default -> 900000",
    ]

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="parley_devstack"):
        await create_topics(stack_env["KAFKA_BOOTSTRAP_SERVERS"], [topic])
    assert not [r for r in caplog.records if "changed topic config" in r.getMessage()]
