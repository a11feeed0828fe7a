"""Which connections a set of NetworkPolicies lets through, by the rules of the Kubernetes
API (https://kubernetes.io/docs/concepts/services-networking/network-policies/).

A connection passes when the source pod's egress and the destination pod's ingress both
allow it. A pod no policy selects (for that direction) is not isolated; one that is
selected takes what any selecting policy's rules allow. ipBlock peers are matched against
addresses outside the cluster only, as the API leaves pod addresses in ipBlocks to the
network plugin.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

Policy = dict[str, Any]
NAMESPACE_LABEL = "kubernetes.io/metadata.name"


@dataclass(frozen=True)
class Pod:
    namespace: str
    labels: Mapping[str, str]
    # Named container ports, which policies may refer to.
    ports: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Address:
    """An address outside the cluster, e.g. a managed Kafka broker."""

    ip: str


Peer = Pod | Address


def selects(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """Whether a label selector matches; an empty selector matches everything."""
    selector = selector or {}
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values")
        present = key in labels
        matched = {
            "In": present and labels.get(key) in (values or []),
            "NotIn": not present or labels.get(key) not in (values or []),
            "Exists": present,
            "DoesNotExist": not present,
        }[operator]
        if not matched:
            return False
    return True


def _namespace_labels(namespace: str) -> dict[str, str]:
    return {NAMESPACE_LABEL: namespace}


def _peer_matches(rule_peer: Mapping[str, Any], peer: Peer, policy_namespace: str) -> bool:
    if "ipBlock" in rule_peer:
        if not isinstance(peer, Address):
            return False
        block = rule_peer["ipBlock"]
        address = ipaddress.ip_address(peer.ip)
        inside = address in ipaddress.ip_network(block["cidr"])
        excepted = any(address in ipaddress.ip_network(c) for c in block.get("except") or [])
        return inside and not excepted
    if not isinstance(peer, Pod):
        return False
    if "namespaceSelector" in rule_peer:
        if not selects(rule_peer["namespaceSelector"], _namespace_labels(peer.namespace)):
            return False
    elif peer.namespace != policy_namespace:
        return False
    return selects(rule_peer.get("podSelector"), peer.labels)


def _port_matches(
    rule_ports: Iterable[Mapping[str, Any]] | None,
    port: int,
    protocol: str,
    named: Mapping[str, int],
) -> bool:
    rule_ports = list(rule_ports or [])
    if not rule_ports:
        return True
    for rule_port in rule_ports:
        if rule_port.get("protocol", "TCP") != protocol:
            continue
        wanted = rule_port.get("port")
        if wanted is None:
            return True
        number = named.get(wanted) if isinstance(wanted, str) else wanted
        if number is not None and number <= port <= rule_port.get("endPort", number):
            return True
    return False


def _policy_types(policy: Policy) -> list[str]:
    spec = policy["spec"]
    default = ["Ingress", "Egress"] if "egress" in spec else ["Ingress"]
    types: list[str] = spec.get("policyTypes") or default
    return types


def _side_allows(
    policies: Iterable[Policy],
    pod: Pod,
    direction: str,
    other: Peer,
    port: int,
    protocol: str,
    named: Mapping[str, int],
) -> bool:
    """Whether ``pod``'s policies for ``direction`` (Ingress or Egress) let ``other`` in
    or out on ``port``."""
    selecting = [
        p
        for p in policies
        if p["metadata"].get("namespace", "default") == pod.namespace
        and selects(p["spec"]["podSelector"], pod.labels)
        and direction in _policy_types(p)
    ]
    if not selecting:
        return True
    key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    for policy in selecting:
        namespace = policy["metadata"].get("namespace", "default")
        for rule in policy["spec"].get(key) or []:
            peers = rule.get(peers_key)
            peer_ok = not peers or any(_peer_matches(p, other, namespace) for p in peers)
            if peer_ok and _port_matches(rule.get("ports"), port, protocol, named):
                return True
    return False


def allowed(
    policies: Iterable[Policy], source: Peer, destination: Peer, port: int, protocol: str = "TCP"
) -> bool:
    """Whether ``source`` may open a connection to ``destination`` on ``port``."""
    policies = list(policies)
    named = destination.ports if isinstance(destination, Pod) else {}
    if isinstance(source, Pod) and not _side_allows(
        policies, source, "Egress", destination, port, protocol, named
    ):
        return False
    return not isinstance(destination, Pod) or _side_allows(
        policies, destination, "Ingress", source, port, protocol, named
    )
