"""docker-compose.yml is valid and speaks the same settings as the code and the chart."""

from __future__ import annotations

from typing import Any

import yaml
from parley_contracts.topics import EDGE_SLOT_PARTITIONS, WORKER_PARTITIONS

from tests.deploy.conftest import CHART
from tests.deploy.settings_catalogue import (
    REDIS_CLIENTS,
    REDIS_VARIABLES,
    SESSION_READERS,
    SESSION_STORE_VARIABLES,
    SETTINGS,
    required_variables,
    unknown_variables,
)

PARLEY_SERVICES = ("edge", "stt", "dialogue", "tts", "janitor", "agent")


def test_compose_file_is_valid_and_has_every_part(compose_config: dict[str, Any]) -> None:
    services = set(compose_config["services"])
    assert set(PARLEY_SERVICES) | {"kafka", "redis", "postgres", "otel-collector"} <= services


def test_every_variable_set_in_compose_is_read_by_that_service(
    compose_config: dict[str, Any],
) -> None:
    for name in PARLEY_SERVICES:
        variables = set(compose_config["services"][name].get("environment", {}))
        assert not unknown_variables(name, variables), f"{name}: not read by the code"


def test_services_run_their_own_command(compose_config: dict[str, Any]) -> None:
    for name in PARLEY_SERVICES:
        assert compose_config["services"][name]["command"] == [f"parley-{name}"]


def test_ports_match_the_helm_values(compose_config: dict[str, Any]) -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    for name in PARLEY_SERVICES:
        env = compose_config["services"][name]["environment"]
        assert int(env[f"PARLEY_{name.upper()}_PORT"]) == values[name]["port"], name


def test_required_settings_are_set(compose_config: dict[str, Any]) -> None:
    for name in SETTINGS:
        variables = set(compose_config["services"][name].get("environment", {}))
        assert required_variables(name) - variables == set(), name


def test_topic_partitions_match_the_helm_values(compose_config: dict[str, Any]) -> None:
    # Compose creates the topics with the catalogue's counts; the chart's defaults agree.
    assert compose_config["services"]["topics"]["command"] == ["parley-stack", "topics"]
    partitions = yaml.safe_load((CHART / "values.yaml").read_text())["kafka"]["partitions"]
    assert partitions == {"perCall": WORKER_PARTITIONS, "edgeSlots": EDGE_SLOT_PARTITIONS}


def test_settings_every_service_shares_are_in_the_helm_config_map(
    compose_config: dict[str, Any],
) -> None:
    shared = set.intersection(
        *(set(compose_config["services"][name]["environment"]) for name in PARLEY_SERVICES)
    )
    assert {"KAFKA_BOOTSTRAP_SERVERS", "OTEL_TRACES_EXPORTER"} <= shared
    config_map = (CHART / "templates" / "configmap.yaml").read_text()
    assert {v for v in shared if f"  {v}:" not in config_map} == set()


def test_every_service_is_health_checked_on_its_own_readyz(
    compose_config: dict[str, Any],
) -> None:
    for name in PARLEY_SERVICES:
        service = compose_config["services"][name]
        port = service["environment"][f"PARLEY_{name.upper()}_PORT"]
        check = " ".join(service["healthcheck"]["test"])
        assert f"http://127.0.0.1:{port}/readyz" in check, name


def test_every_service_reading_sessions_is_told_the_same_store(
    compose_config: dict[str, Any],
) -> None:
    told = {
        name: {
            v: compose_config["services"][name]["environment"].get(v)
            for v in SESSION_STORE_VARIABLES
        }
        for name in SESSION_READERS
    }
    assert len({tuple(values.items()) for values in told.values()}) == 1, told
    assert None not in next(iter(told.values())).values(), told
    for name in SESSION_READERS:
        assert "postgres" in compose_config["services"][name]["depends_on"], name


def test_every_service_with_a_redis_client_is_told_the_same_redis(
    compose_config: dict[str, Any],
) -> None:
    assert set(REDIS_CLIENTS) == {"edge", "janitor", "dialogue", "stt"}
    told = {
        name: {v: compose_config["services"][name]["environment"].get(v) for v in REDIS_VARIABLES}
        for name in REDIS_CLIENTS
    }
    assert len({tuple(values.items()) for values in told.values()}) == 1, told
    assert None not in next(iter(told.values())).values(), told
