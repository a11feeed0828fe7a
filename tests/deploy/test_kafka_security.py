"""Every Kafka client (the five services and the topics job) is offered the same KAFKA_*
security settings by .env.example, compose and the chart, and the chart can give each
service its own Kafka user and a CA bundle."""

from __future__ import annotations

import re
from typing import Any

import pytest
from parley_bus import KafkaSettings
from parley_contracts.access import kafka_services

from tests.deploy.chart import by_kind, env_of, render, template
from tests.deploy.conftest import ROOT
from tests.deploy.settings_catalogue import SETTINGS, variables_of

KAFKA_VARIABLES = variables_of(KafkaSettings)
# Read with the Kafka settings to seal and open event text; the topics job writes no events.
TEXT_SEALING_VARIABLES = {"PARLEY_KAFKA_ENCRYPT_TEXT", "PARLEY_SESSIONS_ENCRYPTION_KEYS"}


def wanted_by(client: str) -> set[str]:
    return KAFKA_VARIABLES - TEXT_SEALING_VARIABLES if client == "topics" else KAFKA_VARIABLES


TLS_DIR = "/etc/parley/kafka-tls"
SECURE = [
    *("--set", "kafka.security.protocol=SASL_SSL"),
    *("--set", "kafka.security.saslMechanism=SCRAM-SHA-512"),
    *("--set", "kafka.security.tlsSecret=kafka-tls"),
    *("--set", "kafka.security.clientCertificate=true"),
    *("--set", "kafka.security.serviceCredentials.stt=parley-kafka-stt"),
    *("--set", "kafka.security.serviceCredentials.topics=parley-kafka-admin"),
]


def kafka_workloads(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    workloads = {**by_kind(docs, "Deployment"), **by_kind(docs, "StatefulSet")}
    found = {s: workloads[f"parley-{s}"] for s in kafka_services()}
    return found | {"topics": by_kind(docs, "Job")["parley-topics"]}


def test_the_services_that_use_kafka_read_the_kafka_settings() -> None:
    assert set(kafka_services()) == set(SETTINGS)
    assert all(issubclass(SETTINGS[s], KafkaSettings) for s in kafka_services())
    assert {"KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_SSL_CA_FILE"} <= (
        KAFKA_VARIABLES
    )


def test_every_kafka_setting_is_in_env_example_compose_and_the_chart(
    compose_config: dict[str, Any],
) -> None:
    example = (ROOT / ".env.example").read_text()
    assert {v for v in KAFKA_VARIABLES if not re.search(rf"^#?{v}=", example, re.M)} == set()
    for name in [*kafka_services(), "topics"]:
        environment = compose_config["services"][name]["environment"]
        assert wanted_by(name) - set(environment) == set(), name
    docs = render()
    config = set(by_kind(docs, "ConfigMap")["parley-config"]["data"])
    for name, workload in kafka_workloads(docs).items():
        provided = set(env_of(workload)) | (config if name != "topics" else set())
        assert wanted_by(name) - provided == set(), name


def test_the_chart_gives_a_service_its_own_kafka_user_and_mounts_the_ca() -> None:
    docs = render(*SECURE)
    config = by_kind(docs, "ConfigMap")["parley-config"]["data"]
    assert config["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert config["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    assert config["KAFKA_SSL_CA_FILE"] == f"{TLS_DIR}/ca.crt"
    assert config["KAFKA_SSL_KEY_FILE"] == f"{TLS_DIR}/tls.key"
    workloads = kafka_workloads(docs)
    expected_secret = {"stt": "parley-kafka-stt", "topics": "parley-kafka-admin"}
    for name, workload in workloads.items():
        env = env_of(workload)
        password = env["KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"]
        assert password["name"] == expected_secret.get(name, "parley-secrets"), name
        assert password["key"] == "KAFKA_SASL_PASSWORD"
        pod = workload["spec"]["template"]["spec"]
        assert {"name": "kafka-tls", "secret": {"secretName": "kafka-tls"}} in pod["volumes"]
        mounts = {m["name"]: m for m in pod["containers"][0]["volumeMounts"]}
        assert mounts["kafka-tls"]["mountPath"] == TLS_DIR and mounts["kafka-tls"]["readOnly"]
    # The topics job runs before the ConfigMap exists, so it carries the settings itself.
    job_env = env_of(workloads["topics"])
    assert job_env["KAFKA_SECURITY_PROTOCOL"]["value"] == "SASL_SSL"
    assert job_env["KAFKA_SSL_CA_FILE"]["value"] == f"{TLS_DIR}/ca.crt"


@pytest.mark.parametrize(
    "bad",
    [
        ["--set", "kafka.security.protocol=TLS"],
        ["--set", "kafka.security.protocol=SASL_SSL"],  # no mechanism
        ["--set", "kafka.security.saslMechanism=PLAIN"],  # with PLAINTEXT
        ["--set", "kafka.security.protocol=SASL_SSL", "--set", "kafka.security.saslMechanism=X"],
        ["--set", "kafka.security.clientCertificate=true"],  # no tlsSecret
        ["--set", "kafka.security.serviceCredentials.agent=kafka-agent"],
    ],
)
def test_kafka_security_values_that_cannot_work_are_rejected(bad: list[str]) -> None:
    result = template(*bad)
    assert result.returncode != 0
    assert "schema" in result.stderr.lower()
