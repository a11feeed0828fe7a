"""The Kubernetes Pod Security Standards, baseline and restricted, as checks on a pod.

Each control of https://kubernetes.io/docs/concepts/security/pod-security-standards/ is
one function from a pod (``{"metadata": ..., "spec": ...}``: a Pod or a workload's pod
template) to the fields that break it, so a test can say which control failed and where.
The rules are those of Kubernetes 1.34 (host probes included), for every container kind:
containers, initContainers and ephemeralContainers. Controls the standard marks as Linux
only are skipped for a pod with ``spec.os.name: windows``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

Pod = dict[str, Any]
CONTAINER_KINDS = ("containers", "initContainers", "ephemeralContainers")

BASELINE_CAPABILITIES = frozenset(
    [
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    ]
)
SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
)
SELINUX_TYPES = frozenset(
    {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
)
RESTRICTED_VOLUME_TYPES = frozenset(
    {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
)
SECURE_SECCOMP = frozenset({"RuntimeDefault", "Localhost"})
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
HOOKS = ("postStart", "preStop")


@dataclass(frozen=True)
class Violation:
    control: str
    field: str
    value: Any

    def __str__(self) -> str:
        return f"{self.control}: {self.field} = {self.value!r}"


Check = Callable[[Pod], Iterator[Violation]]


def _spec(pod: Pod) -> dict[str, Any]:
    spec: dict[str, Any] = pod.get("spec") or {}
    return spec


def _containers(pod: Pod) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every container with the path it is found at, e.g. ``spec.containers[edge]``."""
    for kind in CONTAINER_KINDS:
        for container in _spec(pod).get(kind) or []:
            yield f"spec.{kind}[{container.get('name', '?')}]", container


def _context(owner: dict[str, Any]) -> dict[str, Any]:
    context: dict[str, Any] = owner.get("securityContext") or {}
    return context


def _contexts(pod: Pod) -> Iterator[tuple[str, dict[str, Any]]]:
    """The pod's security context, then every container's."""
    yield "spec.securityContext", _context(_spec(pod))
    for path, container in _containers(pod):
        yield f"{path}.securityContext", _context(container)


def _linux(pod: Pod) -> bool:
    return (_spec(pod).get("os") or {}).get("name") != "windows"


# --- baseline ---------------------------------------------------------------------------


def host_process(pod: Pod) -> Iterator[Violation]:
    for path, context in _contexts(pod):
        value = (context.get("windowsOptions") or {}).get("hostProcess")
        if value not in (None, False):
            yield Violation("HostProcess", f"{path}.windowsOptions.hostProcess", value)


def host_namespaces(pod: Pod) -> Iterator[Violation]:
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if _spec(pod).get(field) not in (None, False):
            yield Violation("Host Namespaces", f"spec.{field}", _spec(pod)[field])


def privileged(pod: Pod) -> Iterator[Violation]:
    for path, container in _containers(pod):
        value = _context(container).get("privileged")
        if value not in (None, False):
            yield Violation("Privileged Containers", f"{path}.securityContext.privileged", value)


def baseline_capabilities(pod: Pod) -> Iterator[Violation]:
    for path, container in _containers(pod):
        added = (_context(container).get("capabilities") or {}).get("add") or []
        for capability in added:
            if capability not in BASELINE_CAPABILITIES:
                field = f"{path}.securityContext.capabilities.add"
                yield Violation("Capabilities", field, capability)


def host_path_volumes(pod: Pod) -> Iterator[Violation]:
    for volume in _spec(pod).get("volumes") or []:
        if volume.get("hostPath") is not None:
            field = f"spec.volumes[{volume.get('name', '?')}].hostPath"
            yield Violation("HostPath Volumes", field, volume["hostPath"])


def host_ports(pod: Pod) -> Iterator[Violation]:
    for path, container in _containers(pod):
        for port in container.get("ports") or []:
            if port.get("hostPort") not in (None, 0):
                yield Violation("Host Ports", f"{path}.ports.hostPort", port["hostPort"])


def host_probes(pod: Pod) -> Iterator[Violation]:
    for path, container in _containers(pod):
        handlers = [(f"{path}.{p}", container.get(p)) for p in PROBES]
        lifecycle = container.get("lifecycle") or {}
        handlers += [(f"{path}.lifecycle.{h}", lifecycle.get(h)) for h in HOOKS]
        for where, handler in handlers:
            for action in ("httpGet", "tcpSocket"):
                host = ((handler or {}).get(action) or {}).get("host")
                if host not in (None, ""):
                    yield Violation("Host Probes / Lifecycle Hooks", f"{where}.{action}.host", host)


def app_armor(pod: Pod) -> Iterator[Violation]:
    for path, context in _contexts(pod):
        kind = (context.get("appArmorProfile") or {}).get("type")
        if kind not in (None, "RuntimeDefault", "Localhost"):
            yield Violation("AppArmor", f"{path}.appArmorProfile.type", kind)
    prefix = "container.apparmor.security.beta.kubernetes.io/"
    for key, value in ((pod.get("metadata") or {}).get("annotations") or {}).items():
        if key.startswith(prefix) and not (
            value == "runtime/default" or value.startswith("localhost/")
        ):
            yield Violation("AppArmor", f"metadata.annotations[{key}]", value)


def se_linux(pod: Pod) -> Iterator[Violation]:
    for path, context in _contexts(pod):
        options = context.get("seLinuxOptions") or {}
        if options.get("type", "") not in SELINUX_TYPES:
            yield Violation("SELinux", f"{path}.seLinuxOptions.type", options["type"])
        for field in ("user", "role"):
            if options.get(field, "") != "":
                yield Violation("SELinux", f"{path}.seLinuxOptions.{field}", options[field])


def proc_mount(pod: Pod) -> Iterator[Violation]:
    for path, container in _containers(pod):
        value = _context(container).get("procMount")
        if value not in (None, "Default"):
            yield Violation("/proc Mount Type", f"{path}.securityContext.procMount", value)


def baseline_seccomp(pod: Pod) -> Iterator[Violation]:
    for path, context in _contexts(pod):
        kind = (context.get("seccompProfile") or {}).get("type")
        if kind == "Unconfined":
            yield Violation("Seccomp", f"{path}.seccompProfile.type", kind)


def sysctls(pod: Pod) -> Iterator[Violation]:
    for sysctl in _context(_spec(pod)).get("sysctls") or []:
        if sysctl.get("name") not in SAFE_SYSCTLS:
            yield Violation("Sysctls", "spec.securityContext.sysctls", sysctl.get("name"))


# --- restricted -------------------------------------------------------------------------


def volume_types(pod: Pod) -> Iterator[Violation]:
    for volume in _spec(pod).get("volumes") or []:
        # A volume naming no source is an emptyDir once the API server has defaulted it.
        kinds = {k for k, v in volume.items() if k != "name" and v is not None} or {"emptyDir"}
        if kinds - RESTRICTED_VOLUME_TYPES:
            name = volume.get("name", "?")
            yield Violation("Volume Types", f"spec.volumes[{name}]", sorted(kinds))


def privilege_escalation(pod: Pod) -> Iterator[Violation]:
    if not _linux(pod):
        return
    for path, container in _containers(pod):
        value = _context(container).get("allowPrivilegeEscalation")
        if value is not False:
            field = f"{path}.securityContext.allowPrivilegeEscalation"
            yield Violation("Privilege Escalation", field, value)


def running_as_non_root(pod: Pod) -> Iterator[Violation]:
    pod_level = _context(_spec(pod)).get("runAsNonRoot")
    if pod_level is False:
        yield Violation("Running as Non-root", "spec.securityContext.runAsNonRoot", False)
    for path, container in _containers(pod):
        value = _context(container).get("runAsNonRoot")
        if value is False or (value is None and pod_level is not True):
            yield Violation("Running as Non-root", f"{path}.securityContext.runAsNonRoot", value)


def running_as_non_root_user(pod: Pod) -> Iterator[Violation]:
    for path, context in _contexts(pod):
        if context.get("runAsUser") == 0:
            yield Violation("Running as Non-root user", f"{path}.runAsUser", 0)


def restricted_seccomp(pod: Pod) -> Iterator[Violation]:
    if not _linux(pod):
        return
    pod_level = (_context(_spec(pod)).get("seccompProfile") or {}).get("type")
    if pod_level is not None and pod_level not in SECURE_SECCOMP:
        yield Violation("Seccomp", "spec.securityContext.seccompProfile.type", pod_level)
    for path, container in _containers(pod):
        value = (_context(container).get("seccompProfile") or {}).get("type")
        if (value is None and pod_level not in SECURE_SECCOMP) or (
            value is not None and value not in SECURE_SECCOMP
        ):
            yield Violation("Seccomp", f"{path}.securityContext.seccompProfile.type", value)


def restricted_capabilities(pod: Pod) -> Iterator[Violation]:
    if not _linux(pod):
        return
    for path, container in _containers(pod):
        capabilities = _context(container).get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or []):
            field = f"{path}.securityContext.capabilities.drop"
            yield Violation("Capabilities", field, capabilities.get("drop"))
        for capability in capabilities.get("add") or []:
            if capability != "NET_BIND_SERVICE":
                field = f"{path}.securityContext.capabilities.add"
                yield Violation("Capabilities", field, capability)


BASELINE: tuple[Check, ...] = (
    host_process,
    host_namespaces,
    privileged,
    baseline_capabilities,
    host_path_volumes,
    host_ports,
    host_probes,
    app_armor,
    se_linux,
    proc_mount,
    baseline_seccomp,
    sysctls,
)
RESTRICTED: tuple[Check, ...] = (
    *BASELINE,
    volume_types,
    privilege_escalation,
    running_as_non_root,
    running_as_non_root_user,
    restricted_seccomp,
    restricted_capabilities,
)


def violations(pod: Pod, profile: tuple[Check, ...] = RESTRICTED) -> list[Violation]:
    """Every field of ``pod`` the profile forbids; empty when the pod meets it."""
    return [violation for check in profile for violation in check(pod)]
