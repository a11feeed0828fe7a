"""The chart's NetworkPolicies isolate every Parley pod and let through only what each
service needs, checked by evaluating the rendered policies (tests/deploy/network_policy.py)
for connections that must pass and connections that must not."""

from __future__ import annotations

from typing import Any

import pytest

from tests.deploy.chart import render
from tests.deploy.network_policy import Address, Pod, allowed, selects

RELEASE_NAMESPACE = "default"  # helm template's namespace
SERVICES = ("edge", "stt", "dialogue", "tts", "janitor", "agent")
KAFKA_CLIENTS = ("edge", "stt", "dialogue", "tts", "janitor", "topics")
REDIS_CLIENTS = ("edge", "stt", "dialogue", "janitor")
HTTPS_CLIENTS = ("edge", "stt", "tts", "dialogue", "agent")
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "Job")

INGRESS_CONTROLLER = Pod("ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"})
PROMETHEUS = Pod("monitoring", {"app.kubernetes.io/name": "prometheus"})
KUBE_DNS = Pod("kube-system", {"k8s-app": "kube-dns"})
STRANGER = Pod(RELEASE_NAMESPACE, {"app": "something-else"})
BROKER = Address("203.0.113.10")
PROVIDER = Address("198.51.100.7")
METADATA = Address("169.254.169.254")


def cluster(*args: str) -> tuple[list[dict[str, Any]], dict[str, Pod]]:
    """The rendered policies, and each workload's pods by app.kubernetes.io/name."""
    docs = render(*args)
    pods = {}
    for doc in docs:
        if doc["kind"] in WORKLOAD_KINDS:
            template = doc["spec"]["template"]
            ports = {
                p["name"]: p["containerPort"]
                for c in template["spec"]["containers"]
                for p in c.get("ports") or []
                if "name" in p
            }
            labels = template["metadata"]["labels"]
            pods[labels["app.kubernetes.io/name"]] = Pod(RELEASE_NAMESPACE, labels, ports)
    return [d for d in docs if d["kind"] == "NetworkPolicy"], pods


def service_port(pod: Pod) -> int:
    return pod.ports["http"]


def test_every_workload_is_selected_by_a_deny_all_policy() -> None:
    policies, pods = cluster()
    assert set(pods) == {*SERVICES, "topics"}
    deny = [
        p
        for p in policies
        if set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    assert deny
    for name, pod in pods.items():
        assert any(selects(p["spec"]["podSelector"], pod.labels) for p in deny), name
    # Pods of other releases or apps in the namespace are none of the chart's business.
    assert not any(selects(p["spec"]["podSelector"], STRANGER.labels) for p in policies)


def test_no_policies_without_network_policy_enabled() -> None:
    assert "NetworkPolicy" not in {
        d["kind"] for d in render("--set", "networkPolicy.enabled=false")
    }


def test_every_pod_resolves_names_and_nothing_else_by_default() -> None:
    policies, pods = cluster()
    for name, pod in pods.items():
        assert allowed(policies, pod, KUBE_DNS, 53, "UDP"), name
        assert allowed(policies, pod, KUBE_DNS, 53, "TCP"), name
        assert not allowed(policies, pod, Pod("kube-system", {"k8s-app": "other"}), 53, "UDP")
        assert not allowed(policies, pod, BROKER, 22), name


def test_services_do_not_reach_each_other_except_dialogue_the_agent() -> None:
    policies, pods = cluster()
    for source_name, source in pods.items():
        for target_name in SERVICES:
            target = pods[target_name]
            expected = (source_name, target_name) == ("dialogue", "agent")
            assert allowed(policies, source, target, service_port(target)) is expected, (
                f"{source_name} -> {target_name}"
            )
    assert not allowed(policies, STRANGER, pods["agent"], service_port(pods["agent"]))


def test_only_the_edge_is_reachable_from_the_ingress_controller() -> None:
    policies, pods = cluster()
    edge = pods["edge"]
    assert allowed(policies, INGRESS_CONTROLLER, edge, service_port(edge))
    assert not allowed(policies, INGRESS_CONTROLLER, edge, 9999)
    other_in_its_namespace = Pod("ingress-nginx", {"app.kubernetes.io/name": "cert-manager"})
    assert not allowed(policies, other_in_its_namespace, edge, service_port(edge))
    assert not allowed(policies, STRANGER, edge, service_port(edge))
    for name in ("stt", "dialogue", "tts", "janitor", "agent"):
        assert not allowed(policies, INGRESS_CONTROLLER, pods[name], service_port(pods[name]))
    # Another controller, chosen in the values.
    traefik = Pod("traefik", {"app.kubernetes.io/name": "traefik"})
    policies, pods = cluster(
        "--set-string",
        "networkPolicy.ingressController.namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name=traefik",
        "--set-string",
        "networkPolicy.ingressController.podSelector.matchLabels.app\\.kubernetes\\.io/name=traefik",
    )
    assert allowed(policies, traefik, pods["edge"], service_port(pods["edge"]))
    assert not allowed(policies, INGRESS_CONTROLLER, pods["edge"], service_port(pods["edge"]))


def test_the_session_api_answers_only_the_listed_namespaces() -> None:
    policies, pods = cluster()
    janitor = pods["janitor"]
    crm = Pod("crm", {"app": "backend"})
    assert not allowed(policies, crm, janitor, service_port(janitor))
    policies, pods = cluster("--set", "networkPolicy.sessionApiNamespaces={crm,backoffice}")
    for namespace in ("crm", "backoffice"):
        caller = Pod(namespace, {"app": "backend"})
        assert allowed(policies, caller, janitor, service_port(janitor)), namespace
        assert not allowed(policies, caller, pods["edge"], service_port(pods["edge"]))
    assert not allowed(policies, Pod("sales", {"app": "backend"}), janitor, service_port(janitor))
    assert not allowed(policies, STRANGER, janitor, service_port(janitor))


def test_metrics_are_scraped_from_the_monitoring_namespace_only() -> None:
    policies, pods = cluster()
    for name in SERVICES:
        assert allowed(policies, PROMETHEUS, pods[name], service_port(pods[name])), name
        elsewhere = Pod("default", dict(PROMETHEUS.labels))
        assert not allowed(policies, elsewhere, pods[name], service_port(pods[name])), name


def test_egress_to_kafka_redis_and_https_goes_to_the_services_that_use_them() -> None:
    policies, pods = cluster()
    for name, pod in pods.items():
        assert allowed(policies, pod, BROKER, 9092) is (name in KAFKA_CLIENTS), name
        assert allowed(policies, pod, BROKER, 6379) is (name in REDIS_CLIENTS), name
        assert allowed(policies, pod, PROVIDER, 443) is (name in HTTPS_CLIENTS), name
        # Nobody reaches the cloud metadata service, nor PostgreSQL with sessions in Redis.
        assert not allowed(policies, pod, METADATA, 443), name
        assert not allowed(policies, pod, BROKER, 5432), name


def test_egress_ports_follow_the_urls_and_destinations_the_values() -> None:
    policies, pods = cluster(
        "--set",
        "kafka.bootstrapServers=b-1.msk:9096\\,b-2.msk:9096",
        "--set",
        "redis.url=rediss://cache.example.com:6380/0",
        "--set",
        "networkPolicy.kafka.to[0].ipBlock.cidr=203.0.113.0/24",
    )
    stt = pods["stt"]
    assert allowed(policies, stt, BROKER, 9096)
    assert not allowed(policies, stt, BROKER, 9092)
    assert not allowed(policies, stt, Address("192.0.2.1"), 9096)  # outside the Kafka CIDR
    assert allowed(policies, stt, BROKER, 6380)
    assert not allowed(policies, stt, BROKER, 6379)


def test_postgres_and_the_collector_when_they_are_used() -> None:
    policies, pods = cluster(
        "--set",
        "sessions.store=postgres",
        "--set",
        "tracing.exporter=otlp",
        "--set",
        "tracing.otlpEndpoint=http://otel-collector.observability:4318",
    )
    for name, pod in pods.items():
        assert allowed(policies, pod, BROKER, 5432) is (name in ("stt", "dialogue", "janitor"))
        # Sessions in PostgreSQL: only the call index and rate limits need Redis.
        assert allowed(policies, pod, BROKER, 6379) is (name in ("edge", "janitor")), name
        assert allowed(policies, pod, BROKER, 4318) is (name in SERVICES), name


def test_extra_egress_rules_reach_every_pod() -> None:
    vllm = Pod(RELEASE_NAMESPACE, {"app": "vllm"}, {"http": 8000})
    policies, pods = cluster(
        "--set",
        "networkPolicy.extraEgress[0].to[0].podSelector.matchLabels.app=vllm",
        "--set",
        "networkPolicy.extraEgress[0].ports[0].port=8000",
    )
    assert allowed(policies, pods["agent"], Address("10.0.0.1"), 8000) is False
    # The model server's own namespace admits it when it has no policies of its own.
    assert allowed(policies, pods["agent"], vllm, 8000)


def test_without_the_bundled_agent_no_policy_names_it() -> None:
    policies, pods = cluster(
        "--set", "agent.enabled=false", "--set", "agentUrl=https://brain.example.com/mcp"
    )
    assert "agent" not in pods
    assert not [p for p in policies if "agent" in p["metadata"]["name"]]
    # The external agent is reached over HTTPS.
    assert allowed(policies, pods["dialogue"], PROVIDER, 443)


@pytest.mark.parametrize(
    ("policies", "expected"),
    [
        ([], True),
        (
            [{"metadata": {}, "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}],
            False,
        ),
        (
            [
                {
                    "metadata": {},
                    "spec": {
                        "podSelector": {"matchLabels": {"app": "b"}},
                        "policyTypes": ["Ingress"],
                        "ingress": [{"from": [{"podSelector": {}}], "ports": [{"port": "web"}]}],
                    },
                }
            ],
            True,
        ),
    ],
    ids=["not isolated", "isolated", "named port"],
)
def test_the_evaluator_follows_the_api_rules(policies: list[Any], expected: bool) -> None:
    a = Pod("default", {"app": "a"})
    b = Pod("default", {"app": "b"}, {"web": 8080})
    assert allowed(policies, a, b, 8080) is expected
    assert allowed(policies, Pod("other", {"app": "a"}), b, 8080) is (policies == [])
