"""The chart's topics Job runs a command the image really has, against a real Kafka."""

from __future__ import annotations

import asyncio
import os
import subprocess

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from parley_contracts import ALL_TOPICS

from tests.deploy.chart import by_kind, render
from tests.deploy.conftest import ROOT

pytestmark = pytest.mark.integration


async def _retention_ms(bootstrap: str) -> dict[str, str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        responses = await admin.describe_configs(
            [
                ConfigResource(ConfigResourceType.TOPIC, t.name, {"retention.ms": None})
                for t in ALL_TOPICS
            ]
        )
    finally:
        await admin.close()
    return {
        resource["resource_name"]: entry["config_value"]
        for response in responses
        for resource in response.to_object()["resources"]
        for entry in resource["config_entries"]
    }


def test_the_topics_job_command_creates_the_topics(stack_env: dict[str, str]) -> None:
    chart = render("--set", "kafka.replicationFactor=1", "--set", "kafka.retention.text=2h")
    job = by_kind(chart, "Job")["parley-topics"]
    container = job["spec"]["template"]["spec"]["containers"][0]
    executable, *args = container["command"]
    env = {e["name"]: e["value"] for e in container["env"] if "value" in e}
    env["KAFKA_BOOTSTRAP_SERVERS"] = stack_env["KAFKA_BOOTSTRAP_SERVERS"]
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / executable), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"topics ready on {env['KAFKA_BOOTSTRAP_SERVERS']}" in result.stderr
    # The chart's retention reached the topics: the text topics were altered to 2 hours.
    retention = asyncio.run(_retention_ms(env["KAFKA_BOOTSTRAP_SERVERS"]))
    hours = {"audio": 1, "text": 2, "events": 24}
    assert retention == {t.name: str(hours[t.holds] * 3600_000) for t in ALL_TOPICS}
