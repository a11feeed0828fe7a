"""Every service with a Redis client is offered the same REDIS_* settings by .env.example,
compose and the chart, and the chart mounts a CA bundle (and client certificate) where
those settings point."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.deploy.chart import by_kind, env_of, render, template
from tests.deploy.conftest import ROOT
from tests.deploy.settings_catalogue import REDIS_CLIENTS, REDIS_VARIABLES, SETTINGS, variables_of

TLS_DIR = "/etc/parley/redis-tls"
SECURE = [
    *("--set", "redis.url=rediss://redis.internal:6380/0"),
    *("--set", "redis.tlsSecret=redis-tls"),
    *("--set", "redis.clientCertificate=true"),
    *("--set", "redis.checkHostname=false"),
]


def workloads(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found = {**by_kind(docs, "Deployment"), **by_kind(docs, "StatefulSet")}
    return {name.removeprefix("parley-"): workload for name, workload in found.items()}


def test_the_redis_variables_are_what_the_settings_read() -> None:
    for service in REDIS_CLIENTS:
        assert set(REDIS_VARIABLES) <= variables_of(SETTINGS[service]), service


def test_every_redis_setting_is_in_env_example_and_the_chart() -> None:
    example = (ROOT / ".env.example").read_text()
    assert {v for v in REDIS_VARIABLES if not re.search(rf"^#?{v}=", example, re.M)} == set()
    config = set(by_kind(render(), "ConfigMap")["parley-config"]["data"])
    assert set(REDIS_VARIABLES) - config == set()


def test_the_chart_mounts_the_ca_and_client_certificate_where_the_settings_point() -> None:
    docs = render(*SECURE)
    config = by_kind(docs, "ConfigMap")["parley-config"]["data"]
    assert config["REDIS_URL"] == "rediss://redis.internal:6380/0"
    assert config["REDIS_SSL_CA_FILE"] == f"{TLS_DIR}/ca.crt"
    assert config["REDIS_SSL_CERT_FILE"] == f"{TLS_DIR}/tls.crt"
    assert config["REDIS_SSL_KEY_FILE"] == f"{TLS_DIR}/tls.key"
    assert config["REDIS_SSL_CHECK_HOSTNAME"] == "false"
    for name, workload in workloads(docs).items():
        pod = workload["spec"]["template"]["spec"]
        mounted = {"name": "redis-tls", "secret": {"secretName": "redis-tls"}} in pod["volumes"]
        assert mounted == (name in REDIS_CLIENTS), name
        if mounted:
            mounts = {m["name"]: m for m in pod["containers"][0]["volumeMounts"]}
            assert mounts["redis-tls"] == {
                "name": "redis-tls",
                "mountPath": TLS_DIR,
                "readOnly": True,
            }
            assert "REDIS_URL" in env_of(workload), name  # from existingSecret when set there


def test_without_a_tls_secret_the_system_trust_store_is_used() -> None:
    config = by_kind(render(), "ConfigMap")["parley-config"]["data"]
    assert config["REDIS_SSL_CA_FILE"] == "" and config["REDIS_SSL_CERT_FILE"] == ""
    assert config["REDIS_SSL_CHECK_HOSTNAME"] == "true"


@pytest.mark.parametrize(
    "bad",
    [
        ["--set", "redis.clientCertificate=true"],  # no tlsSecret
        ["--set", "redis.checkHostname=maybe"],
        ["--set", "redis.url=rediss//redis:6380"],
    ],
)
def test_redis_tls_values_that_cannot_work_are_rejected(bad: list[str]) -> None:
    result = template(*bad)
    assert result.returncode != 0
    assert "schema" in result.stderr.lower()
