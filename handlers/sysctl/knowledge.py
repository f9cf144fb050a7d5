"""What Kubernetes itself says about pod sysctls, by version: pure tables and lookups, no I/O.

Used by ``handlers.sysctl.advice`` (the decisions). The sandbox's sysctl world keeps its own tables
(``sandbox.worlds.sysctl_rules``), so a wrong row here shows up as a scenario that fails. Three
independent gates decide whether a pod may set a sysctl:

1. Namespacing (Linux): only namespaced sysctls can be set per pod at all.
2. The kubelet's allow-list: its built-in *safe* set (which grows with the kubelet's version and
   needs a new enough kernel) plus whatever ``--allowed-unsafe-sysctls`` / ``allowedUnsafeSysctls``
   adds. A pod the kubelet refuses ends ``Failed`` with reason ``SysctlForbidden``.
3. Pod Security admission (namespace labels ``pod-security.kubernetes.io/enforce`` and
   ``enforce-version``): the Baseline and Restricted levels admit only the safe set *of the pinned
   policy version*, whatever the kubelets allow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

Minor = tuple[int, int]

# The kubelet's safe set, with the Kubernetes release that added each sysctl and the kernel it needs.
# Sources: "Using sysctls in a Kubernetes Cluster"
#   https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/
# "Linux Kernel Version Requirements" (the kernel column)
#   https://kubernetes.io/docs/reference/node/kernel-version-requirements/
# and the kubelet's own table, pkg/kubelet/sysctl/safe_sysctls.go in kubernetes/kubernetes.


@dataclass(frozen=True)
class SafeSysctl:
    name: str
    since: Minor
    kernel: Minor | None = None

    def __str__(self) -> str:
        kernel = f", kernel {self.kernel[0]}.{self.kernel[1]}+" if self.kernel else ""
        return f"{self.name} (safe since Kubernetes {self.since[0]}.{self.since[1]}{kernel})"


SAFE_SYSCTLS: tuple[SafeSysctl, ...] = (
    SafeSysctl("kernel.shm_rmid_forced", (1, 4)),
    SafeSysctl("net.ipv4.ip_local_port_range", (1, 4)),
    SafeSysctl("net.ipv4.tcp_syncookies", (1, 4)),  # the docs note it is namespaced from kernel 4.6 only
    SafeSysctl("net.ipv4.ping_group_range", (1, 18)),
    SafeSysctl("net.ipv4.ip_unprivileged_port_start", (1, 22)),
    SafeSysctl("net.ipv4.ip_local_reserved_ports", (1, 27), (3, 16)),
    SafeSysctl("net.ipv4.tcp_keepalive_time", (1, 29), (4, 5)),
    SafeSysctl("net.ipv4.tcp_fin_timeout", (1, 29), (4, 6)),
    SafeSysctl("net.ipv4.tcp_keepalive_intvl", (1, 29), (4, 5)),
    SafeSysctl("net.ipv4.tcp_keepalive_probes", (1, 29), (4, 5)),
    SafeSysctl("net.ipv4.tcp_rmem", (1, 32), (4, 15)),
    SafeSysctl("net.ipv4.tcp_wmem", (1, 32), (4, 15)),
    # kubernetes/kubernetes#138389 (milestone v1.37); kernels from pkg/util/kernel
    # (TCPSlowStartAfterIdleNamespacedKernelVersion = "4.15") and kubernetes/website#56276 (4.6)
    SafeSysctl("net.ipv4.tcp_slow_start_after_idle", (1, 37), (4, 15)),
    SafeSysctl("net.ipv4.tcp_notsent_lowat", (1, 37), (4, 6)),
)
_SAFE_BY_NAME = {s.name: s for s in SAFE_SYSCTLS}

# Pod Security Standards, Baseline "Sysctls" control, by policy version. The checks live in
# staging/src/k8s.io/pod-security-admission/policy/check_sysctls.go (sysctlsAllowedV1Dot0,
# ...V1Dot27, ...V1Dot29, ...V1Dot32, ...V1Dot37 from kubernetes/kubernetes#138389); documented at
#   https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
# Restricted includes every Baseline control, so it applies the same list.
_PSS_V1_0 = (
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
)
_PSS_V1_27 = (*_PSS_V1_0, "net.ipv4.ip_local_reserved_ports")
_PSS_V1_29 = (
    *_PSS_V1_27,
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
)
_PSS_V1_32 = (*_PSS_V1_29, "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem")
_PSS_V1_37 = (*_PSS_V1_32, "net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat")
PSS_BASELINE_SYSCTLS: tuple[tuple[Minor, frozenset[str]], ...] = (
    ((1, 0), frozenset(_PSS_V1_0)),
    ((1, 27), frozenset(_PSS_V1_27)),
    ((1, 29), frozenset(_PSS_V1_29)),
    ((1, 32), frozenset(_PSS_V1_32)),
    ((1, 37), frozenset(_PSS_V1_37)),
)

PSA_ENFORCE = "pod-security.kubernetes.io/enforce"
PSA_ENFORCE_VERSION = "pod-security.kubernetes.io/enforce-version"
PSA_LEVELS = ("privileged", "baseline", "restricted")

# Sysctls the kubelet knows to be namespaced (so a pod can have its own value); it refuses to start
# with any other name in its allow-list, and never admits one in a pod. Everything else (vm.*,
# kernel.domainname and the other UTS names, user.*, most kernel.*, fs.* outside mqueue) is node-level.
# Up to 1.28, pkg/kubelet/sysctl/namespace.go (@ 2d58ef78): kernel.sem, and every name under
# kernel.shm, kernel.msg, fs.mqueue., net.. From 1.29 (kubernetes/kubernetes#118705),
# staging/src/k8s.io/component-helpers/node/util/sysctl/namespace.go (@ e0a566e7): these exact IPC
# names (``kernel.shm`` / ``kernel.msg`` so that the patterns ``kernel.shm*`` / ``kernel.msg*`` work)
# and every name under net. and fs.mqueue..
EXACT_NAMES_SINCE: Minor = (1, 29)
_NAMESPACED_EXACT = (
    "kernel.sem",
    "kernel.shmall",
    "kernel.shmmax",
    "kernel.shmmni",
    "kernel.shm_rmid_forced",
    "kernel.shm",
    "kernel.msgmax",
    "kernel.msgmnb",
    "kernel.msgmni",
    "kernel.msg",
)
_NAMESPACED_PREFIXES = ("fs.mqueue.", "net.")
_OLD_EXACT = ("kernel.sem",)
_OLD_PREFIXES = ("kernel.shm", "kernel.msg", "fs.mqueue.", "net.")
_IPC_PREFIXES = ("kernel.shm", "kernel.msg", "kernel.sem", "fs.mqueue.")

# How the API server validates a sysctl name (pkg/apis/core/validation: SysctlSegmentFmt).
_SEGMENT = r"[a-z0-9]([-_a-z0-9]*[a-z0-9])?"
_SYSCTL_NAME = re.compile(rf"^({_SEGMENT}[\./])*{_SEGMENT}$")
_MINOR = re.compile(r"^v?(\d+)\.(\d+)")


def parse_minor(version: str | None) -> Minor | None:
    """``v1.28.15-eks-a737599`` / ``1.28`` / ``v1.30`` -> ``(1, 28)``; None when unreadable."""
    m = _MINOR.match((version or "").strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def parse_kernel(kernel: str | None) -> Minor | None:
    """``5.10.219-208.866.amzn2.x86_64`` -> ``(5, 10)`` (node.status.nodeInfo.kernelVersion)."""
    return parse_minor(kernel)


def show(minor: Minor | None) -> str:
    return f"{minor[0]}.{minor[1]}" if minor else "?"


def normalise_name(name: str) -> str:
    """Sysctl names may use ``/`` as the separator (``net/ipv4/tcp_keepalive_time``)."""
    name = name.strip()
    return name.replace("/", ".") if "." not in name else name


def valid_name(name: str) -> bool:
    return len(name) <= 253 and bool(_SYSCTL_NAME.match(name))


def is_namespaced(name: str, kubelet: Minor | None = None) -> bool:
    """Does a kubelet of this version know ``name`` to be namespaced? Unknown version: the newest rule."""
    if kubelet is not None and kubelet < EXACT_NAMES_SINCE:
        return name in _OLD_EXACT or name.startswith(_OLD_PREFIXES)
    return name in _NAMESPACED_EXACT or name.startswith(_NAMESPACED_PREFIXES)


def _pattern_admits(name: str, patterns: Iterable[str], kubelet: Minor | None) -> bool:
    """A ``prefix*`` allow-list entry whose prefix the kubelet knows as namespaced covers ``name``."""
    for pattern in patterns:
        pattern = normalise_name(pattern)
        prefix = pattern[:-1]
        if pattern.endswith("*") and name.startswith(prefix) and is_namespaced(prefix, kubelet):
            return True
    return False


def namespace_of(name: str) -> str:
    """``ipc`` / ``net`` / ``""`` (not namespaced): what hostIPC / hostNetwork would clash with."""
    if name.startswith(_IPC_PREFIXES):
        return "ipc"
    return "net" if name.startswith("net.") else ""


def safe_entry(name: str) -> SafeSysctl | None:
    return _SAFE_BY_NAME.get(name)


def kubelet_safe(name: str, kubelet: Minor | None, kernel: Minor | None = None) -> bool:
    """Is ``name`` in the built-in safe set of a kubelet of this version on this kernel?

    An unknown kernel is assumed new enough (EKS AMIs ship 5.x and 6.x kernels).
    """
    entry = _SAFE_BY_NAME.get(name)
    if entry is None or kubelet is None or kubelet < entry.since:
        return False
    return entry.kernel is None or kernel is None or kernel >= entry.kernel


def matches_allowlist(name: str, patterns: Iterable[str]) -> bool:
    """The kubelet's ``--allowed-unsafe-sysctls`` matching: exact names or ``prefix*`` patterns."""
    for pattern in patterns:
        pattern = normalise_name(pattern)
        if pattern.endswith("*") and name.startswith(pattern[:-1]):
            return True
        if pattern == name:
            return True
    return False


def kubelet_admits(
    name: str,
    kubelet: Minor | None,
    kernel: Minor | None = None,
    allowed_unsafe: Iterable[str] = (),
    *,
    host_network: bool = False,
    host_ipc: bool = False,
) -> bool:
    """What the kubelet's sysctl admission handler decides for one sysctl of a pod."""
    allowed_unsafe = tuple(allowed_unsafe)
    if not is_namespaced(name, kubelet) and not _pattern_admits(name, allowed_unsafe, kubelet):
        return False
    ns = namespace_of(name)
    if (ns == "net" and host_network) or (ns == "ipc" and host_ipc):
        return False
    return kubelet_safe(name, kubelet, kernel) or matches_allowlist(name, allowed_unsafe)


def kubelet_rejection(name: str, *, host_network: bool = False, host_ipc: bool = False) -> str:
    """The kubelet's message for a refused sysctl (pkg/kubelet/sysctl/allowlist.go)."""
    ns = namespace_of(name)
    if (ns == "net" and host_network) or (ns == "ipc" and host_ipc):
        return f'forbidden sysctl: "{name}" not allowed with host {ns} enabled'
    return f'forbidden sysctl: "{name}" not allowlisted'


def pss_allowed(name: str, policy: Minor) -> bool:
    """Does the Baseline policy of version ``policy`` admit ``name``?"""
    allowed: frozenset[str] = frozenset()
    for since, names in PSS_BASELINE_SYSCTLS:
        if policy >= since:
            allowed = names
    return name in allowed


def pss_allowed_since(name: str) -> Minor | None:
    """The first Pod Security policy version whose Baseline admits ``name`` (None: never)."""
    return next((since for since, names in PSS_BASELINE_SYSCTLS if name in names), None)


@dataclass(frozen=True)
class PsaPolicy:
    """A namespace's enforced Pod Security policy: level and the version it is pinned to."""

    level: str = "privileged"
    version: str = "latest"

    def effective(self, control_plane: Minor | None) -> Minor | None:
        """The policy version really applied: ``latest`` (or a newer pin) means the API server's."""
        pinned = None if self.version in ("", "latest") else parse_minor(self.version)
        if pinned is None:
            return control_plane
        return min(pinned, control_plane) if control_plane else pinned

    @property
    def pinned(self) -> bool:
        return self.version not in ("", "latest")

    def __str__(self) -> str:
        return f"{self.level}:{self.version}"


def psa_policy(labels: dict[str, str] | None) -> PsaPolicy:
    """The enforced policy from namespace labels. Unlabelled namespaces on EKS enforce ``privileged``."""
    labels = labels or {}
    level = labels.get(PSA_ENFORCE, "privileged")
    return PsaPolicy(level if level in PSA_LEVELS else "privileged", labels.get(PSA_ENFORCE_VERSION, "latest"))


def psa_admits(name: str, policy: PsaPolicy, control_plane: Minor | None) -> bool:
    if policy.level == "privileged":
        return True
    effective = policy.effective(control_plane)
    return effective is not None and pss_allowed(name, effective)


def psa_rejection(pod_name: str, policy: PsaPolicy, forbidden: list[str]) -> str:
    """The API server's words for a pod Pod Security admission refuses (the event a controller records).

    Real example: ``pods "nfs-server" is forbidden: violates PodSecurity "baseline:latest": ...``
    (https://github.com/kubernetes/kubernetes/issues/109221); the sysctl control reports
    ``forbidden sysctls (a, b)`` (check_sysctls.go).
    """
    return (
        f'pods "{pod_name}" is forbidden: violates PodSecurity "{policy.level}:{policy.version}": '
        f"forbidden sysctls ({', '.join(forbidden)})"
    )
