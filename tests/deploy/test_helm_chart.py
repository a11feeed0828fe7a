"""The Helm chart lints, renders valid Kubernetes objects, and rejects bad values."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.deploy.conftest import CHART, helm
from tests.deploy.settings_catalogue import SETTINGS, known_variables

KUBERNETES_VERSION = "1.30.0"
NON_DEFAULT = [
    "--set",
    "edge.replicas=3",
    "--set",
    "stt.replicas=4",
    "--set",
    "agent.enabled=false",
    "--set",
    "agentUrl=https://brain.example.com/mcp",
    "--set",
    "kafka.partitions.perCall=24",
    "--set-string",
    "env.PARLEY_DIALOGUE_BUDGET_TOTAL_MS=700",
    "--set",
    "dialogue.autoscaling.enabled=true",
    "--set",
    "edge.autoscaling.enabled=true",
]


def render(*args: str) -> list[dict[str, Any]]:
    result = helm("template", "parley", str(CHART), *args)
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def test_chart_lints() -> None:
    result = helm("lint", str(CHART))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("args", [[], NON_DEFAULT], ids=["default", "non-default"])
def test_every_rendered_manifest_is_a_valid_kubernetes_object(args: list[str]) -> None:
    docs = render(*args)
    assert docs
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_default_render_has_one_workload_per_service_and_the_topics_hook() -> None:
    docs = render()
    deployments = by_kind(docs, "Deployment")
    assert set(deployments) == {
        f"parley-{s}" for s in ("stt", "dialogue", "tts", "janitor", "agent")
    }
    assert set(by_kind(docs, "StatefulSet")) == {"parley-edge"}
    job = by_kind(docs, "Job")["parley-topics"]
    assert "pre-install" in job["metadata"]["annotations"]["helm.sh/hook"]
    for workload in [*deployments.values(), by_kind(docs, "StatefulSet")["parley-edge"]]:
        container = workload["spec"]["template"]["spec"]["containers"][0]
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"


def test_non_default_values_take_effect() -> None:
    docs = render(*NON_DEFAULT)
    assert by_kind(docs, "StatefulSet")["parley-edge"]["spec"]["replicas"] == 3
    assert "parley-agent" not in by_kind(docs, "Deployment")
    config = by_kind(docs, "ConfigMap")["parley-config"]["data"]
    assert config["PARLEY_AGENT_URL"] == "https://brain.example.com/mcp"
    assert config["PARLEY_DIALOGUE_BUDGET_TOTAL_MS"] == "700"
    args = by_kind(docs, "Job")["parley-topics"]["spec"]["template"]["spec"]["containers"][0]
    assert "--partitions-per-call=24" in args["command"]


def test_autoscaling_and_disruption_budgets() -> None:
    docs = render(*NON_DEFAULT)
    hpas = by_kind(docs, "HorizontalPodAutoscaler")
    assert hpas["parley-edge"]["spec"]["scaleTargetRef"]["kind"] == "StatefulSet"
    assert hpas["parley-dialogue"]["spec"]["scaleTargetRef"]["kind"] == "Deployment"
    # Multi-replica services keep a pod through voluntary disruptions.
    assert {"parley-edge", "parley-stt", "parley-dialogue", "parley-tts"} <= set(
        by_kind(docs, "PodDisruptionBudget")
    )


def test_optional_keda_and_service_monitor() -> None:
    docs = render("--set", "stt.keda.enabled=true", "--set", "serviceMonitor.enabled=true")
    scaled = by_kind(docs, "ScaledObject")["parley-stt"]
    trigger = scaled["spec"]["triggers"][0]
    assert trigger["type"] == "kafka"
    assert trigger["metadata"]["topic"] == "parley.audio.in"
    assert trigger["metadata"]["consumerGroup"] == "parley-stt"
    monitor = by_kind(docs, "ServiceMonitor")["parley"]
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
    assert "ScaledObject" not in {d["kind"] for d in render()}


def test_every_configmap_variable_is_read_by_some_service() -> None:
    config = by_kind(render(*NON_DEFAULT), "ConfigMap")["parley-config"]["data"]
    known = set().union(*(known_variables(s) for s in [*SETTINGS, "agent"]))
    assert set(config) - known == set()


@pytest.mark.parametrize(
    "bad",
    [
        ["--set", "edge.replicas=-1"],
        ["--set", "redis.url=localhost:6379"],
        ["--set", "logLevel=LOUD"],
        ["--set-string", "stt.port=eighty"],
    ],
)
def test_values_that_break_the_schema_are_rejected(bad: list[str]) -> None:
    result = helm("template", "parley", str(CHART), *bad)
    assert result.returncode != 0
    assert "schema" in result.stderr.lower()


def test_notes_give_the_webhook_url() -> None:
    # helm renders NOTES.txt only on install, which needs a cluster; check its template.
    notes = (CHART / "templates" / "NOTES.txt").read_text()
    assert "{{ .Values.publicUrl }}/twilio/voice" in notes
    assert "{{ .Values.publicUrl }}/twilio/status" in notes
