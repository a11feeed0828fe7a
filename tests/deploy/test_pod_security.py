"""The Pod Security Standards checker finds each thing the standards forbid, and nothing in
a pod that meets them: the chart's checks rely on it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.deploy.pod_security import BASELINE, RESTRICTED, Pod, violations


def compliant_pod() -> Pod:
    """A pod meeting the restricted profile, with every container kind."""
    hardened = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
    }
    return {
        "metadata": {
            "annotations": {"container.apparmor.security.beta.kubernetes.io/app": "runtime/default"}
        },
        "spec": {
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": 10001,
                "seccompProfile": {"type": "RuntimeDefault"},
                "seLinuxOptions": {"type": "container_t"},
                "sysctls": [{"name": "net.ipv4.ip_local_port_range", "value": "1024 65535"}],
            },
            "containers": [
                {
                    "name": "app",
                    "ports": [{"containerPort": 8080}],
                    "securityContext": copy.deepcopy(hardened),
                    "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}},
                }
            ],
            "initContainers": [{"name": "init", "securityContext": copy.deepcopy(hardened)}],
            "volumes": [
                {"name": "tmp", "emptyDir": {}},
                {"name": "tls", "secret": {"secretName": "tls"}},
                {"name": "defaulted"},
            ],
        },
    }


def app(pod: Pod) -> dict[str, Any]:
    container: dict[str, Any] = pod["spec"]["containers"][0]
    return container


def init(pod: Pod) -> dict[str, Any]:
    container: dict[str, Any] = pod["spec"]["initContainers"][0]
    return container


def add_ephemeral(pod: Pod, **context: Any) -> None:
    pod["spec"]["ephemeralContainers"] = [{"name": "debug", "securityContext": context}]


Mutation = Callable[[Pod], None]
# (what breaks the profile, the controls that must report it, whether baseline forbids it)
BREAKAGES: list[tuple[str, Mutation, str | set[str], bool]] = [
    (
        "hostProcess",
        lambda p: p["spec"]["securityContext"].update(windowsOptions={"hostProcess": True}),
        "HostProcess",
        True,
    ),
    ("hostNetwork", lambda p: p["spec"].update(hostNetwork=True), "Host Namespaces", True),
    ("hostPID", lambda p: p["spec"].update(hostPID=True), "Host Namespaces", True),
    ("hostIPC", lambda p: p["spec"].update(hostIPC=True), "Host Namespaces", True),
    (
        "privileged",
        lambda p: app(p)["securityContext"].update(privileged=True),
        "Privileged Containers",
        True,
    ),
    (
        "privileged ephemeral",
        lambda p: add_ephemeral(
            p, privileged=True, allowPrivilegeEscalation=False, capabilities={"drop": ["ALL"]}
        ),
        "Privileged Containers",
        True,
    ),
    (
        "SYS_ADMIN",
        lambda p: app(p)["securityContext"]["capabilities"]["add"].append("SYS_ADMIN"),
        "Capabilities",
        True,
    ),
    (
        "hostPath",
        lambda p: p["spec"]["volumes"].append({"name": "h", "hostPath": {"path": "/"}}),
        {"HostPath Volumes", "Volume Types"},
        True,
    ),
    ("hostPort", lambda p: app(p)["ports"][0].update(hostPort=80), "Host Ports", True),
    (
        "probe host",
        lambda p: app(p)["livenessProbe"]["httpGet"].update(host="10.0.0.1"),
        "Host Probes / Lifecycle Hooks",
        True,
    ),
    (
        "hook host",
        lambda p: app(p).update(lifecycle={"preStop": {"tcpSocket": {"host": "x", "port": 1}}}),
        "Host Probes / Lifecycle Hooks",
        True,
    ),
    (
        "AppArmor unconfined",
        lambda p: app(p)["securityContext"].update(appArmorProfile={"type": "Unconfined"}),
        "AppArmor",
        True,
    ),
    (
        "AppArmor annotation",
        lambda p: p["metadata"]["annotations"].update(
            {"container.apparmor.security.beta.kubernetes.io/app": "unconfined"}
        ),
        "AppArmor",
        True,
    ),
    (
        "SELinux type",
        lambda p: p["spec"]["securityContext"]["seLinuxOptions"].update(type="spc_t"),
        "SELinux",
        True,
    ),
    (
        "SELinux user",
        lambda p: init(p)["securityContext"].update(seLinuxOptions={"user": "root"}),
        "SELinux",
        True,
    ),
    (
        "procMount",
        lambda p: app(p)["securityContext"].update(procMount="Unmasked"),
        "/proc Mount Type",
        True,
    ),
    (
        "seccomp unconfined",
        lambda p: init(p)["securityContext"].update(seccompProfile={"type": "Unconfined"}),
        "Seccomp",
        True,
    ),
    (
        "unsafe sysctl",
        lambda p: p["spec"]["securityContext"]["sysctls"].append(
            {"name": "kernel.msgmax", "value": "1"}
        ),
        "Sysctls",
        True,
    ),
    (
        "nfs volume",
        lambda p: p["spec"]["volumes"].append({"name": "n", "nfs": {"server": "s", "path": "/"}}),
        "Volume Types",
        False,
    ),
    (
        "escalation unset",
        lambda p: init(p)["securityContext"].pop("allowPrivilegeEscalation"),
        "Privilege Escalation",
        False,
    ),
    (
        "escalation allowed",
        lambda p: app(p)["securityContext"].update(allowPrivilegeEscalation=True),
        "Privilege Escalation",
        False,
    ),
    (
        "runAsNonRoot unset",
        lambda p: p["spec"]["securityContext"].pop("runAsNonRoot"),
        "Running as Non-root",
        False,
    ),
    (
        "runAsNonRoot false in a container",
        lambda p: app(p)["securityContext"].update(runAsNonRoot=False),
        "Running as Non-root",
        False,
    ),
    (
        "runAsUser 0",
        lambda p: init(p)["securityContext"].update(runAsUser=0),
        "Running as Non-root user",
        False,
    ),
    (
        "seccomp unset",
        lambda p: p["spec"]["securityContext"].pop("seccompProfile"),
        "Seccomp",
        False,
    ),
    (
        "capabilities kept",
        lambda p: app(p)["securityContext"]["capabilities"].pop("drop"),
        "Capabilities",
        False,
    ),
    (
        "CHOWN added",
        lambda p: app(p)["securityContext"]["capabilities"]["add"].append("CHOWN"),
        "Capabilities",
        False,
    ),
]


def test_a_pod_meeting_the_restricted_profile_has_no_violations() -> None:
    assert violations(compliant_pod()) == []


@pytest.mark.parametrize(
    ("mutation", "control", "baseline"),
    [pytest.param(m, c, b, id=name) for name, m, c, b in BREAKAGES],
)
def test_each_forbidden_field_is_reported_by_its_control(
    mutation: Mutation, control: str | set[str], baseline: bool
) -> None:
    pod = compliant_pod()
    mutation(pod)
    expected = {control} if isinstance(control, str) else control
    assert {v.control for v in violations(pod, RESTRICTED)} == expected
    # The restricted profile includes the baseline; what it adds, the baseline allows.
    assert bool(violations(pod, BASELINE)) is baseline


def test_a_windows_pod_is_spared_the_linux_only_controls() -> None:
    pod = compliant_pod()
    pod["spec"]["os"] = {"name": "windows"}
    for container in (app(pod), init(pod)):
        container["securityContext"] = {}
    pod["spec"]["securityContext"].pop("seccompProfile")
    assert violations(pod) == []


def test_a_violation_names_the_container_and_field() -> None:
    pod = compliant_pod()
    app(pod)["securityContext"]["privileged"] = True
    (violation,) = violations(pod)
    assert str(violation) == (
        "Privileged Containers: spec.containers[app].securityContext.privileged = True"
    )
