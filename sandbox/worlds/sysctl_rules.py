"""How the sysctl world's kubelets and Pod Security admission decide: the world's own tables.

Each row cites where it comes from. Used by ``sandbox.worlds.sysctl`` only; the bot's diagnoser keeps
its own rules, so a wrong rule on either side shows as a scenario that does not reach its end state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

Minor = tuple[int, int]
K8S = "kubernetes/kubernetes"


@dataclass(frozen=True)
class Row:
    name: str
    since: Minor  # the Kubernetes release (kubelet) or Pod Security policy version that added it
    kernel: Minor | None  # the kernel that namespaces it; the kubelet drops it from the safe set below
    source: str


# The kubelet's built-in safe set (pkg/kubelet/sysctl/safe_sysctls.go), per release.
KUBELET_SAFE: tuple[Row, ...] = (
    Row("kernel.shm_rmid_forced", (1, 4), None, f"{K8S} pkg/kubelet/sysctl/safe_sysctls.go @ b0cb9cc1"),
    Row("net.ipv4.ip_local_port_range", (1, 4), None, f"{K8S} safe_sysctls.go @ b0cb9cc1"),
    Row("net.ipv4.tcp_syncookies", (1, 4), None, f"{K8S} safe_sysctls.go @ b0cb9cc1"),
    Row(
        "net.ipv4.ping_group_range",
        (1, 18),
        None,
        "https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/ (safe set)",
    ),
    Row(
        "net.ipv4.ip_unprivileged_port_start",
        (1, 22),
        None,
        "https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/ (safe set)",
    ),
    Row(
        "net.ipv4.ip_local_reserved_ports",
        (1, 27),
        (3, 16),
        f"{K8S} safe_sysctls.go @ 0167a9f8 (kernel 3.16, torvalds/linux 122ff243)",
    ),
    Row(
        "net.ipv4.tcp_keepalive_time",
        (1, 29),
        (4, 5),
        f"{K8S} safe_sysctls.go @ 0167a9f8 (kernel 4.5); kubernetes/kubernetes#117873",
    ),
    Row("net.ipv4.tcp_fin_timeout", (1, 29), (4, 6), f"{K8S}#121240 (v1.29); kernel-version-requirements page"),
    Row("net.ipv4.tcp_keepalive_intvl", (1, 29), (4, 5), f"{K8S}#121240 (v1.29)"),
    Row("net.ipv4.tcp_keepalive_probes", (1, 29), (4, 5), f"{K8S}#121240 (v1.29)"),
    Row("net.ipv4.tcp_rmem", (1, 32), (4, 15), f"{K8S}#127489 release note (v1.32, kernel 4.15)"),
    Row("net.ipv4.tcp_wmem", (1, 32), (4, 15), f"{K8S}#127489 release note (v1.32, kernel 4.15)"),
    Row(
        "net.ipv4.tcp_slow_start_after_idle",
        (1, 37),
        (4, 15),
        f"{K8S}#138389 (milestone v1.37); pkg/util/kernel TCPSlowStartAfterIdleNamespacedKernelVersion",
    ),
    Row("net.ipv4.tcp_notsent_lowat", (1, 37), (4, 6), f"{K8S}#138389; kubernetes/website#56276 (kernel 4.6)"),
)

# Pod Security Standards, Baseline "sysctls" check (Restricted includes it), per policy version:
# staging/src/k8s.io/pod-security-admission/policy/check_sysctls.go, sysctls_allowed_1_0 @ abd60651
# and the later sysctlsAllowedV1Dot27 / V1Dot29 / V1Dot32 / V1Dot37 unions (PRs #121240, #127489, #138389).
PSS_BASELINE: tuple[Row, ...] = (
    *(
        Row(n, (1, 0), None, f"{K8S} check_sysctls.go sysctls_allowed_1_0 @ abd60651")
        for n in (
            "kernel.shm_rmid_forced",
            "net.ipv4.ip_local_port_range",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.ping_group_range",
            "net.ipv4.ip_unprivileged_port_start",
        )
    ),
    Row("net.ipv4.ip_local_reserved_ports", (1, 27), None, "check_sysctls.go sysctlsAllowedV1Dot27"),
    *(
        Row(n, (1, 29), None, f"{K8S}#121240 release note: baseline v1.29+")
        for n in (
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes",
        )
    ),
    *(
        Row(n, (1, 32), None, f"{K8S}#127489 release note: baseline v1.32+")
        for n in ("net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem")
    ),
    *(
        Row(n, (1, 37), None, f"{K8S}#138389: sysctlsAllowedV1Dot37")
        for n in ("net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat")
    ),
)

# Which sysctls the kubelet knows to be namespaced (staging/src/k8s.io/component-helpers/node/util/
# sysctl/namespace.go @ e0a566e7): these exact names, or a name under these prefixes. Anything else
# (vm.*, kernel.domainname, user.*, ...) is "not known to be namespaced".
NAMESPACED_NAMES = {
    "kernel.sem": "ipc",
    "kernel.shmall": "ipc",
    "kernel.shmmax": "ipc",
    "kernel.shmmni": "ipc",
    "kernel.shm_rmid_forced": "ipc",
    "kernel.shm": "ipc",
    "kernel.msgmax": "ipc",
    "kernel.msgmnb": "ipc",
    "kernel.msgmni": "ipc",
    "kernel.msg": "ipc",
}
NAMESPACED_PREFIXES = {"net.": "net", "fs.mqueue.": "ipc"}

_MINOR = re.compile(r"^v?(\d+)\.(\d+)")


def minor(version: str | None) -> Minor | None:
    m = _MINOR.match((version or "").strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def dotted(name: str) -> str:
    """``net/ipv4/tcp_keepalive_time`` -> dots (the kubelet's convertSysctlVariableToDotsSeparator)."""
    return name.replace("/", ".") if "." not in name else name


def namespace_of(name: str) -> str:
    """``ipc``, ``net`` or ``""`` (not known to be namespaced); a trailing ``*`` pattern is its prefix."""
    name = dotted(name).split("*", 1)[0]
    if name in NAMESPACED_NAMES:
        return NAMESPACED_NAMES[name]
    return next((ns for prefix, ns in NAMESPACED_PREFIXES.items() if name.startswith(prefix)), "")


def kubelet_safe_set(kubelet: Minor, kernel: Minor | None) -> set[str]:
    return {r.name for r in KUBELET_SAFE if kubelet >= r.since and (r.kernel is None or (kernel or (0, 0)) >= r.kernel)}


def check_allowlist(patterns: Iterable[str]) -> None:
    """The kubelet refuses to start with an allow-list entry that is not known to be namespaced."""
    for pattern in patterns:
        if not namespace_of(pattern):
            raise ValueError(f'the sysctl "{pattern}" are not known to be namespaced')


def kubelet_refusal(
    name: str, kubelet: Minor, kernel: Minor | None, allowed: Iterable[str], *, host_net: bool, host_ipc: bool
) -> str | None:
    """The kubelet's admission message for one sysctl (pkg/kubelet/sysctl/allowlist.go), None if admitted."""
    name = dotted(name)
    exact = kubelet_safe_set(kubelet, kernel) | {dotted(p) for p in allowed if not p.endswith("*")}
    prefixes = [dotted(p)[:-1] for p in allowed if p.endswith("*")]
    if name not in exact and not any(name.startswith(p) for p in prefixes):
        return f'forbidden sysctl: "{name}" not allowlisted'
    ns = namespace_of(name)
    if (ns == "net" and host_net) or (ns == "ipc" and host_ipc):
        label = {"net": "Net", "ipc": "IPC"}[ns]
        return f'forbidden sysctl: "{name}" not allowed with host {label} enabled'
    return None


def psa_forbidden(names: Iterable[str], level: str, version: str, server: Minor) -> list[str]:
    """The sysctls Pod Security admission refuses at ``level`` pinned to ``version`` on a ``server`` API server.

    ``latest``, no label, or a pin newer than the server evaluates the server's own version; unknown
    levels are read as the default, ``privileged`` (https://kubernetes.io/docs/concepts/security/pod-security-admission/).
    """
    if level not in ("baseline", "restricted"):
        return []
    pinned = minor(version) if version not in ("", "latest") else None
    policy = min(pinned, server) if pinned else server
    allowed = {r.name for r in PSS_BASELINE if policy >= r.since}
    return [n for n in names if n not in allowed]
