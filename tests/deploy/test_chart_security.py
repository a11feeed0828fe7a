"""Every pod the chart renders meets the Pod Security Standards' restricted profile and
writes only to its emptyDir, and every credential reaches the services that read it from a
Secret, never as a plain value, whatever optional features are on."""

from __future__ import annotations

import re
from typing import Any

import kubernetes_validate
import pytest
from parley_speech.aws.settings import AwsTranscribeSettings
from parley_speech.deepgram.settings import DeepgramSettings

from tests.deploy.chart import KUBERNETES_VERSION, by_kind, env_of, render, template
from tests.deploy.conftest import ROOT
from tests.deploy.pod_security import violations
from tests.deploy.settings_catalogue import SETTINGS, known_variables, variables_of
from tests.deploy.test_kafka_security import SECURE

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "Job")
CUSTOM_KINDS = ("ScaledObject", "ServiceMonitor")
ALL_FEATURES = [
    *SECURE,
    *("--set", "ingress.enabled=true", "--set", "ingress.tlsSecretName=voice-tls"),
    *("--set", "edge.autoscaling.enabled=true", "--set", "dialogue.autoscaling.enabled=true"),
    *("--set", "stt.keda.enabled=true", "--set", "tts.keda.enabled=true"),
    *("--set", "serviceMonitor.enabled=true", "--set", "sessions.store=postgres"),
    *("--set", "agent.brain=llm", "--set", "tracing.exporter=otlp"),
    *("--set", "googleCredentialsSecret=google-speech"),
    *("--set", "networkPolicy.sessionApiNamespaces={crm}"),
    *("--set", "networkPolicy.extraEgress[0].ports[0].port=8000"),
    *("--set", "imagePullSecrets[0].name=registry-credentials", "--set", "nodeSelector.pool=voice"),
]
# Credentials written in the values rather than existingSecret, which the chart supports.
PASSWORD = "s3cret-redis-password"
IN_VALUES = [
    *("--set", f"redis.url=redis://parley:{PASSWORD}@redis:6379/0"),
    *("--set-string", "env.DEEPGRAM_API_KEY=dg-key-in-values"),
    *("--set-string", "env.PARLEY_AGENT_TOKEN=agent-token-in-values"),
]
VALUES_SECRETS = (PASSWORD, "dg-key-in-values", "agent-token-in-values")
# What a credential's variable is called: a password, token, key, secret or a connection
# string that may carry a password (REDIS_URL only when it does; see below).
CREDENTIAL = re.compile(
    r"(PASSWORD|_SECRET|TOKEN|API_KEY|ACCESS_KEY|ACCESS_KEY_ID|ENCRYPTION_KEYS"
    r"|DATABASE_URL|STORE_URL|STORAGE_URL)$"
)
# Besides their own settings, stt and tts read their speech providers' (credentials
# included); the agent reads its own few variables (settings_catalogue.agent_variables).
PROVIDER_SETTINGS = {"stt": (DeepgramSettings, AwsTranscribeSettings), "tts": (DeepgramSettings,)}
REDIS_CLIENTS = {"edge", "stt", "dialogue", "janitor"}  # the call index, sessions, rate limits


def pods(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every pod template, by workload name."""
    return {
        d["metadata"]["name"]: d["spec"]["template"] for d in docs if d["kind"] in WORKLOAD_KINDS
    }


def reads(service: str) -> set[str]:
    own = known_variables(service)
    return own.union(*(variables_of(s) for s in PROVIDER_SETTINGS.get(service, ())))


def secret_refs(workload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: entry["valueFrom"]["secretKeyRef"]
        for name, entry in env_of(workload).items()
        if "secretKeyRef" in entry.get("valueFrom", {})
    }


def services(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    workloads = {**by_kind(docs, "Deployment"), **by_kind(docs, "StatefulSet")}
    return {name.removeprefix("parley-"): w for name, w in workloads.items()}


@pytest.mark.parametrize(
    "args", [[], ALL_FEATURES, [*ALL_FEATURES, *IN_VALUES]], ids=["default", "all", "in-values"]
)
def test_every_pod_meets_the_restricted_pod_security_standard(args: list[str]) -> None:
    docs = render(*args)
    found = pods(docs)
    assert {"parley-edge", "parley-agent", "parley-topics"} <= set(found)
    assert len(found) == 7
    for name, pod in found.items():
        assert [str(v) for v in violations(pod)] == [], name
    # The custom resources are checked against their operators' schemas elsewhere.
    for doc in (d for d in docs if d["kind"] not in CUSTOM_KINDS):
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("args", [[], ALL_FEATURES], ids=["default", "all"])
def test_pods_write_only_to_their_tmp_volume(args: list[str]) -> None:
    for name, pod in pods(render(*args)).items():
        spec = pod["spec"]
        assert spec["automountServiceAccountToken"] is False, name
        assert spec["securityContext"]["runAsGroup"] > 0 and spec["securityContext"]["fsGroup"] > 0
        volumes = {v["name"]: v for v in spec["volumes"]}
        assert "emptyDir" in volumes["tmp"], name
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["privileged"] is False, name
            mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
            assert mounts["/tmp"]["name"] == "tmp", name
            # Everything else mounted is a Secret, read-only.
            for path, mount in mounts.items():
                assert path == "/tmp" or ("secret" in volumes[mount["name"]] and mount["readOnly"])


def test_pods_run_as_the_image_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    (user,) = re.findall(r"^USER (\d+):(\d+)$", dockerfile, re.M)
    for pod in pods(render()).values():
        context = pod["spec"]["securityContext"]
        assert (str(context["runAsUser"]), str(context["runAsGroup"])) == user
    # Where the platform assigns the ids, the pods still refuse to run as root.
    assigned = render(
        *("--set", "podSecurity.runAsUser=null", "--set", "podSecurity.runAsGroup=null"),
        *("--set", "podSecurity.fsGroup=null"),
    )
    for name, pod in pods(assigned).items():
        context = pod["spec"]["securityContext"]
        assert "runAsUser" not in context and context["runAsNonRoot"] is True, name
        assert violations(pod) == [], name
    assert template("--set", "podSecurity.runAsUser=0").returncode != 0


def test_every_credential_a_service_reads_comes_from_a_secret() -> None:
    docs = render(*ALL_FEATURES)
    workloads = services(docs)
    assert set(workloads) == {*SETTINGS, "agent"}
    for name, workload in workloads.items():
        credentials = {v for v in reads(name) if CREDENTIAL.search(v)}
        assert credentials - set(secret_refs(workload)) == set(), name
        # ...and only the credentials it reads: nothing else's passwords.
        given = set(secret_refs(workload))
        assert given - reads(name) == set(), name
        assert ("REDIS_URL" in given) is (name in REDIS_CLIENTS), name


def test_no_credential_is_a_plain_value_or_in_the_config_map() -> None:
    docs = render(*ALL_FEATURES, *IN_VALUES)
    for doc in docs:
        if doc["kind"] != "Secret":
            text = str(doc)
            assert not [s for s in VALUES_SECRETS if s in text], doc["metadata"]["name"]
    config = by_kind(docs, "ConfigMap")["parley-config"]["data"]
    assert {v for v in config if CREDENTIAL.search(v)} == set()
    assert "REDIS_URL" not in config  # it carries a password
    for name, pod in pods(docs).items():
        for container in pod["spec"]["containers"]:
            for entry in container["env"]:
                if CREDENTIAL.search(entry["name"]) or entry["name"] == "REDIS_URL":
                    assert "secretKeyRef" in entry["valueFrom"], (name, entry["name"])


def test_credentials_in_the_values_go_to_the_charts_secret_else_existing_secret() -> None:
    docs = render(*IN_VALUES)
    secret = by_kind(docs, "Secret")["parley-values"]
    assert set(secret["data"]) == {"REDIS_URL", "DEEPGRAM_API_KEY", "PARLEY_AGENT_TOKEN"}
    workloads = services(docs)
    from_values = {"name": "parley-values", "key": "DEEPGRAM_API_KEY"}
    assert secret_refs(workloads["stt"])["DEEPGRAM_API_KEY"] == from_values
    assert secret_refs(workloads["edge"])["REDIS_URL"]["name"] == "parley-values"
    # What the values leave out still comes from existingSecret, if it holds it.
    encryption = secret_refs(workloads["stt"])["PARLEY_SESSIONS_ENCRYPTION_KEYS"]
    assert encryption == {
        "name": "parley-secrets",
        "key": "PARLEY_SESSIONS_ENCRYPTION_KEYS",
        "optional": True,
    }
    # The default: no Secret of the chart's own, every credential from existingSecret.
    default = render()
    assert "Secret" not in {d["kind"] for d in default}
    redis = secret_refs(services(default)["janitor"])["REDIS_URL"]
    assert redis == {"name": "parley-secrets", "key": "REDIS_URL", "optional": True}
    assert by_kind(default, "ConfigMap")["parley-config"]["data"]["REDIS_URL"].startswith("redis:")


def test_kafka_credentials_in_env_are_refused() -> None:
    result = template("--set-string", "env.KAFKA_SASL_PASSWORD=x")
    assert result.returncode != 0
    assert "kafka.security.serviceCredentials" in result.stderr


def test_the_google_credentials_secret_reaches_stt_and_tts_only() -> None:
    workloads = services(render("--set", "googleCredentialsSecret=google-speech"))
    for name, workload in workloads.items():
        pod = workload["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in pod["volumes"]}
        env = env_of(workload)
        if name in ("stt", "tts"):
            assert volumes["google-credentials"]["secret"]["secretName"] == "google-speech"
            path = env["GOOGLE_APPLICATION_CREDENTIALS"]["value"]
            mounts = {m["name"]: m["mountPath"] for m in pod["containers"][0]["volumeMounts"]}
            assert path == f"{mounts['google-credentials']}/credentials.json"
        else:
            assert "google-credentials" not in volumes, name
            assert "GOOGLE_APPLICATION_CREDENTIALS" not in env, name


def test_the_session_api_keys_reach_the_janitor_alone_from_the_secret() -> None:
    default = services(render())
    holders = {name for name, w in default.items() if "PARLEY_JANITOR_API_KEYS" in secret_refs(w)}
    assert holders == {"janitor"}
    keys = secret_refs(default["janitor"])["PARLEY_JANITOR_API_KEYS"]
    assert keys["name"] == "parley-secrets" and keys["key"] == "PARLEY_JANITOR_API_KEYS"
    for auth in ("on", "off"):
        config = by_kind(render("--set", f"janitor.auth={auth}"), "ConfigMap")["parley-config"]
        assert config["data"]["PARLEY_JANITOR_AUTH"] == auth
    assert template("--set", "janitor.auth=maybe").returncode != 0
