"""The Helm chart lints, renders valid Kubernetes objects, and rejects bad values."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from fastapi.routing import APIRoute
from parley_edge.carriers.twilio.webhooks import webhook_router

from tests.deploy.chart import KUBERNETES_VERSION, by_kind, env_of, render, template
from tests.deploy.conftest import CHART, CRD_DIR, helm, require
from tests.deploy.settings_catalogue import (
    SESSION_READERS,
    SETTINGS,
    STANDARD_PREFIXES,
    known_variables,
    required_variables,
)

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
    "--set",
    "kafka.replicationFactor=1",
    "--set-string",
    "env.PARLEY_DIALOGUE_BUDGET_TOTAL_MS=700",
    "--set",
    "dialogue.autoscaling.enabled=true",
    "--set",
    "edge.autoscaling.enabled=true",
    "--set",
    "edge.autoscaling.maxReplicas=16",
    "--set-string",
    "secretEnv.REDIS_URL=redis-url",
    "--set",
    "tracing.exporter=otlp",
    "--set",
    "imagePullSecrets[0].name=registry-credentials",
    "--set",
    "nodeSelector.pool=voice",
    "--set",
    "tolerations[0].key=voice",
    "--set",
    "tolerations[0].operator=Exists",
    "--set-string",
    "podAnnotations.team=voice",
    "--set",
    "ingress.enabled=true",
    "--set",
    "ingress.tlsSecretName=voice-tls",
]


def test_chart_lints() -> None:
    result = helm("lint", str(CHART), "--kube-version", KUBERNETES_VERSION)
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
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["startupProbe"]["httpGet"]["path"] == "/healthz"


def test_non_default_values_take_effect() -> None:
    docs = render(*NON_DEFAULT)
    edge = by_kind(render("--set", "edge.replicas=3"), "StatefulSet")["parley-edge"]
    assert edge["spec"]["replicas"] == 3
    assert "parley-agent" not in by_kind(docs, "Deployment")
    config = by_kind(docs, "ConfigMap")["parley-config"]["data"]
    assert config["PARLEY_AGENT_URL"] == "https://brain.example.com/mcp"
    assert config["PARLEY_DIALOGUE_BUDGET_TOTAL_MS"] == "700"
    assert config["OTEL_TRACES_EXPORTER"] == "otlp"
    args = by_kind(docs, "Job")["parley-topics"]["spec"]["template"]["spec"]["containers"][0]
    assert "--partitions-per-call=24" in args["command"]
    assert "--replication-factor=1" in args["command"]


def test_autoscaling_and_disruption_budgets() -> None:
    docs = render(*NON_DEFAULT)
    hpas = by_kind(docs, "HorizontalPodAutoscaler")
    assert hpas["parley-edge"]["spec"]["scaleTargetRef"]["kind"] == "StatefulSet"
    assert hpas["parley-dialogue"]["spec"]["scaleTargetRef"]["kind"] == "Deployment"
    # The autoscaler owns the count; an upgrade must not reset it.
    assert "replicas" not in by_kind(docs, "Deployment")["parley-dialogue"]["spec"]
    assert by_kind(docs, "Deployment")["parley-stt"]["spec"]["replicas"] == 4
    # Multi-replica services keep a pod through voluntary disruptions.
    assert {"parley-edge", "parley-stt", "parley-dialogue", "parley-tts"} <= set(
        by_kind(docs, "PodDisruptionBudget")
    )


def crd_schema(kind: str) -> dict[str, Any]:
    """The openAPIV3Schema the operator's CustomResourceDefinition declares for ``kind``."""
    require(CRD_DIR)
    for path in CRD_DIR.glob("*.yaml"):
        crd = yaml.safe_load(path.read_text())
        if crd["spec"]["names"]["kind"] == kind:
            version = next(v for v in crd["spec"]["versions"] if v.get("storage"))
            schema: dict[str, Any] = version["schema"]["openAPIV3Schema"]
            return schema
    raise AssertionError(f"no schema for {kind} in {CRD_DIR}; `make deploy-tools` fetches them")


def test_optional_custom_resources_match_their_operators_schemas() -> None:
    docs = render(
        "--set",
        "stt.keda.enabled=true",
        "--set",
        "tts.keda.enabled=true",
        "--set",
        "serviceMonitor.enabled=true",
    )
    custom = [d for d in docs if d["kind"] in ("ScaledObject", "ServiceMonitor")]
    assert len(custom) == 3
    for doc in custom:
        jsonschema.validate(doc, crd_schema(doc["kind"]))
    # The check has teeth: a trigger without its type is refused.
    broken = copy.deepcopy(by_kind(docs, "ScaledObject")["parley-tts"])
    del broken["spec"]["triggers"][0]["type"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, crd_schema("ScaledObject"))


def test_optional_keda_and_service_monitor() -> None:
    docs = render("--set", "stt.keda.enabled=true", "--set", "serviceMonitor.enabled=true")
    scaled = by_kind(docs, "ScaledObject")["parley-stt"]
    assert "replicas" not in by_kind(docs, "Deployment")["parley-stt"]["spec"]
    trigger = scaled["spec"]["triggers"][0]
    assert trigger["type"] == "kafka"
    assert trigger["metadata"]["topic"] == "parley.audio.in"
    default_group = SETTINGS["stt"].model_fields["consumer_group"].default
    assert trigger["metadata"]["consumerGroup"] == default_group
    monitor = by_kind(docs, "ServiceMonitor")["parley"]
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
    # The edge's headless Service would scrape every edge pod a second time.
    headless = by_kind(docs, "Service")["parley-edge-pods"]["metadata"]["labels"]
    excluded = monitor["spec"]["selector"]["matchExpressions"][0]
    assert excluded["operator"] == "DoesNotExist" and excluded["key"] in headless
    assert "ScaledObject" not in {d["kind"] for d in render()}
    # Lag is watched on the group the workers really join.
    renamed = render(
        "--set", "tts.keda.enabled=true", "--set", "env.PARLEY_TTS_CONSUMER_GROUP=voice-tts"
    )
    scaled = by_kind(renamed, "ScaledObject")["parley-tts"]
    assert scaled["spec"]["triggers"][0]["metadata"]["consumerGroup"] == "voice-tts"


def test_every_configmap_variable_is_read_by_some_service() -> None:
    config = by_kind(render(*NON_DEFAULT), "ConfigMap")["parley-config"]["data"]
    known = set().union(*(known_variables(s) for s in [*SETTINGS, "agent"]))
    assert {v for v in set(config) - known if not v.startswith(STANDARD_PREFIXES)} == set()
    assert "OTEL_TRACES_EXPORTER" in config  # read by parley_telemetry in every service


@pytest.mark.parametrize(
    "bad",
    [
        ["--set", "edge.replicas=-1"],
        ["--set", "redis.url=localhost:6379"],
        ["--set", "logLevel=LOUD"],
        ["--set", "tracing.exporter=jaeger"],
        ["--set", "kafka.replicationFactor=0"],
        ["--set-string", "stt.port=eighty"],
        ["--set", "edge.replica=3"],
        ["--set", "publicUrl=https://voice.example.com/"],
        ["--set-string", "env.parley_stt_silence_ms=500"],
        ["--set", "sessions.store=memory"],
        ["--set", "agent.brain=oracle"],
        ["--set", "agent.llm.baseUrl=api.example.com"],
    ],
)
def test_values_that_break_the_schema_are_rejected(bad: list[str]) -> None:
    result = template(*bad)
    assert result.returncode != 0
    assert "schema" in result.stderr.lower()


def test_more_edge_pods_than_edge_slots_is_refused() -> None:
    # Pods beyond the last slot would read no partition and their calls would hear nothing.
    for bad in (
        ["edge.replicas=5"],
        ["edge.autoscaling.enabled=true", "edge.autoscaling.maxReplicas=6"],
    ):
        result = template("--set", "kafka.partitions.edgeSlots=4", *[f"--set={v}" for v in bad])
        assert result.returncode != 0
        assert "raise kafka.partitions.edgeSlots" in result.stderr


def test_an_older_cluster_is_refused() -> None:
    # The edge's slot comes from the pod-index label, which Kubernetes sets from 1.28.
    result = helm("template", "parley", str(CHART), "--kube-version", "1.27.0")
    assert result.returncode != 0
    assert "kubeVersion" in result.stderr


def test_secrets_come_from_the_existing_secret() -> None:
    docs = render(*NON_DEFAULT)
    edge = env_of(by_kind(docs, "StatefulSet")["parley-edge"])
    token = edge["TWILIO_AUTH_TOKEN"]["valueFrom"]["secretKeyRef"]
    # Without the Twilio token the edge would accept webhooks signed with the dev default.
    assert token == {"name": "parley-secrets", "key": "TWILIO_AUTH_TOKEN", "optional": False}
    assert edge["PARLEY_EDGE_SLOT"]["valueFrom"]["fieldRef"]["fieldPath"].endswith("pod-index']")
    dialogue = env_of(by_kind(docs, "Deployment")["parley-dialogue"])
    assert dialogue["PARLEY_AGENT_TOKEN"]["valueFrom"]["secretKeyRef"]["optional"] is True
    assert "TWILIO_AUTH_TOKEN" not in dialogue
    for workload in [*by_kind(docs, "Deployment").values(), by_kind(docs, "Job")["parley-topics"]]:
        redis = env_of(workload)["REDIS_URL"]["valueFrom"]["secretKeyRef"]
        assert redis == {"name": "parley-secrets", "key": "redis-url"}


def test_every_service_reading_sessions_gets_the_same_store() -> None:
    docs = render("--set", "sessions.store=postgres")
    assert by_kind(docs, "ConfigMap")["parley-config"]["data"]["PARLEY_SESSION_STORE"] == "postgres"
    assert {"janitor", "dialogue", "stt"} <= set(SESSION_READERS)
    for service in SESSION_READERS:
        env = env_of(by_kind(docs, "Deployment")[f"parley-{service}"])
        for variable in ("DATABASE_URL", "PARLEY_SESSIONS_ENCRYPTION_KEYS"):
            secret = env[variable]["valueFrom"]["secretKeyRef"]
            assert secret == {"name": "parley-secrets", "key": variable, "optional": True}


def test_the_agent_brain_and_its_model_come_from_the_values() -> None:
    docs = render(
        "--set",
        "agent.brain=llm",
        "--set",
        "agent.llm.baseUrl=http://vllm:8000/v1",
        "--set",
        "agent.llm.model=qwen2.5-7b-instruct",
    )
    agent = env_of(by_kind(docs, "Deployment")["parley-agent"])
    assert agent["PARLEY_AGENT"]["value"] == "llm"
    assert agent["PARLEY_LLM_BASE_URL"]["value"] == "http://vllm:8000/v1"
    assert agent["PARLEY_LLM_MODEL"]["value"] == "qwen2.5-7b-instruct"
    key = agent["PARLEY_LLM_API_KEY"]["valueFrom"]["secretKeyRef"]
    assert key == {"name": "parley-secrets", "key": "PARLEY_LLM_API_KEY", "optional": True}
    assert "PARLEY_AGENT" not in env_of(by_kind(docs, "Deployment")["parley-dialogue"])


def test_the_ingress_serves_twilio_at_the_public_host() -> None:
    docs = render(*NON_DEFAULT, "--set", "publicUrl=https://voice.example.org")
    ingress = by_kind(docs, "Ingress")["parley-edge"]["spec"]
    assert ingress["tls"] == [{"hosts": ["voice.example.org"], "secretName": "voice-tls"}]
    (rule,) = ingress["rules"]
    assert rule["host"] == "voice.example.org"
    (path,) = rule["http"]["paths"]
    assert path["path"] == "/twilio"
    assert path["backend"]["service"]["name"] == "parley-edge"
    assert "Ingress" not in {d["kind"] for d in render()}
    with_path = template(*NON_DEFAULT, "--set", "publicUrl=https://example.org/voice")
    assert with_path.returncode != 0
    assert "publicUrl without a path" in with_path.stderr


def test_scheduling_settings_reach_every_pod() -> None:
    docs = render(*NON_DEFAULT)
    kinds = ("Deployment", "StatefulSet", "Job")
    pods = [d["spec"]["template"] for d in docs if d["kind"] in kinds]
    assert len(pods) == 6  # edge, stt, dialogue, tts, janitor and the topics job
    for pod in pods:
        assert pod["spec"]["imagePullSecrets"] == [{"name": "registry-credentials"}]
        assert pod["spec"]["nodeSelector"] == {"pool": "voice"}
        assert pod["spec"]["tolerations"] == [{"key": "voice", "operator": "Exists"}]
        assert pod["spec"]["securityContext"]["runAsUser"] == 10001


def test_pods_roll_when_the_configuration_changes() -> None:
    def checksum(*args: str) -> str:
        edge = by_kind(render(*args), "StatefulSet")["parley-edge"]
        return str(edge["spec"]["template"]["metadata"]["annotations"]["checksum/config"])

    assert checksum() != checksum("--set-string", "env.PARLEY_STT_SILENCE_MS=500")


def test_required_settings_are_provided() -> None:
    docs = render()
    config = set(by_kind(docs, "ConfigMap")["parley-config"]["data"])
    for name in SETTINGS:
        workload = {**by_kind(docs, "Deployment"), **by_kind(docs, "StatefulSet")}[f"parley-{name}"]
        provided = config | set(env_of(workload))
        assert required_variables(name) - provided == set(), name


def test_notes_give_the_webhook_url() -> None:
    # helm renders NOTES.txt only on install, which needs a cluster; check its template.
    notes = (CHART / "templates" / "NOTES.txt").read_text()
    stub: Any = object()  # building the router touches none of its collaborators
    router = webhook_router(stub, stub, "https://voice.example.com", stub)
    paths = {route.path for route in router.routes if isinstance(route, APIRoute)}
    assert paths == {"/twilio/voice", "/twilio/status"}
    for path in paths:
        assert "{{ .Values.publicUrl }}" + path in notes
