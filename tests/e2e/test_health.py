"""Every service reports liveness and readiness; readiness follows Kafka down and up."""

from __future__ import annotations

import time

import httpx
import pytest
from parley_devstack import LocalStack
from parley_devstack.fleet import ServiceFleet

pytestmark = pytest.mark.e2e
KAFKA_USERS = ("edge", "stt", "dialogue", "tts", "janitor")


def statuses(fleet: ServiceFleet, path: str, names: tuple[str, ...]) -> dict[str, int]:
    with httpx.Client(timeout=5) as client:
        return {n: client.get(fleet.processes[n].url + path).status_code for n in names}


def readiness_checks(fleet: ServiceFleet, name: str) -> dict[str, str]:
    body = httpx.get(fleet.processes[name].url + "/readyz", timeout=5).json()
    checks: dict[str, str] = body["checks"]
    return checks


def wait_for(fleet: ServiceFleet, path: str, status: int, timeout_s: float) -> dict[str, int]:
    deadline = time.monotonic() + timeout_s
    seen = statuses(fleet, path, KAFKA_USERS)
    while any(code != status for code in seen.values()) and time.monotonic() < deadline:
        time.sleep(0.5)
        seen = statuses(fleet, path, KAFKA_USERS)
    return seen


def test_health_and_readiness_follow_kafka(fleet: ServiceFleet, local_stack: LocalStack) -> None:
    everyone = (*KAFKA_USERS, "agent")
    assert statuses(fleet, "/healthz", everyone) == dict.fromkeys(everyone, 200)
    assert statuses(fleet, "/readyz", everyone) == dict.fromkeys(everyone, 200)
    assert readiness_checks(fleet, "stt") == {"kafka": "ok", "engine": "ok"}
    assert readiness_checks(fleet, "tts") == {"kafka": "ok", "engine": "ok"}
    assert readiness_checks(fleet, "dialogue") == {"kafka": "ok", "redis": "ok"}
    if local_stack.kafka is None:
        pytest.skip("Kafka is external (KAFKA_BOOTSTRAP_SERVERS); not stopping it")
    local_stack.kafka.stop()
    try:
        down = wait_for(fleet, "/readyz", 503, timeout_s=30)
        assert down == dict.fromkeys(KAFKA_USERS, 503)
        # The body says which dependency is missing.
        stt = readiness_checks(fleet, "stt")
        assert stt["engine"] == "ok" and stt["kafka"] != "ok"
        # Alive all along: only readiness depends on Kafka.
        assert statuses(fleet, "/healthz", everyone) == dict.fromkeys(everyone, 200)
    finally:
        local_stack.kafka.resume()
    assert wait_for(fleet, "/readyz", 200, timeout_s=60) == dict.fromkeys(KAFKA_USERS, 200)
