"""The chart's topics Job runs a command the image really has, against a real Kafka."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.deploy.chart import by_kind, render
from tests.deploy.conftest import ROOT

pytestmark = pytest.mark.integration


def test_the_topics_job_command_creates_the_topics(stack_env: dict[str, str]) -> None:
    job = by_kind(render("--set", "kafka.replicationFactor=1"), "Job")["parley-topics"]
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
