"""The facts a sysctl decision rests on, as frozen records: requested sysctls, nodes, node groups, namespace.

Filled by ``handlers.sysctl.collect`` from the cluster and AWS, or by tests from fixture files;
read by ``handlers.sysctl.advice`` and ``handlers.sysctl.analyse``. No I/O here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# eks:DescribeNodegroup amiType -> AMI family (https://docs.aws.amazon.com/eks/latest/APIReference/API_Nodegroup.html)
AL2, AL2023, BOTTLEROCKET, WINDOWS, UNKNOWN = "AL2", "AL2023", "BOTTLEROCKET", "WINDOWS", "UNKNOWN"


def family_of(ami_type: str = "", os_image: str = "") -> str:
    """AMI family from ``amiType`` (AL2_x86_64, AL2023_ARM_64_STANDARD, BOTTLEROCKET_x86_64, CUSTOM...)
    or, for CUSTOM and Karpenter nodes, from the node's ``osImage``."""
    ami_type = (ami_type or "").upper()
    for prefix, family in (
        ("AL2023", AL2023),
        ("AL2_", AL2),
        ("BOTTLEROCKET", BOTTLEROCKET),
        ("WINDOWS", WINDOWS),
    ):
        if ami_type.startswith(prefix):
            return family
    image = (os_image or "").lower()
    if "amazon linux 2023" in image:
        return AL2023
    if "amazon linux 2" in image:
        return AL2
    if "bottlerocket" in image:
        return BOTTLEROCKET
    if "windows" in image:
        return WINDOWS
    return UNKNOWN


@dataclass(frozen=True)
class NodeFacts:
    """One node: its kubelet and kernel, and which node group or Karpenter NodePool made it."""

    name: str
    kubelet: str
    kernel: str = ""
    os_image: str = ""
    nodegroup: str = ""
    nodepool: str = ""
    instance_type: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    allowed_unsafe: tuple[str, ...] | None = None  # from the kubelet's /configz; None: could not read it
    configz_error: str = ""  # why /configz could not be read, when it was asked and failed

    def __str__(self) -> str:
        owner = self.nodegroup or (f"nodepool {self.nodepool}" if self.nodepool else "unmanaged")
        return f"{self.name} (kubelet {self.kubelet}, {owner})"


@dataclass(frozen=True)
class NodegroupFacts:
    """An EKS managed node group as eks:DescribeNodegroup reports it."""

    name: str
    ami_type: str = ""
    version: str = ""
    release_version: str = ""
    launch_template: bool = False
    instance_types: tuple[str, ...] = ()

    @property
    def custom_ami(self) -> bool:
        return self.ami_type.upper() == "CUSTOM"

    def family(self, os_image: str = "") -> str:
        return family_of(self.ami_type, os_image)


@dataclass(frozen=True)
class SysctlFacts:
    """Everything advice needs for one request."""

    sysctls: tuple[tuple[str, str], ...]
    control_plane: str
    nodes: tuple[NodeFacts, ...] = ()
    nodegroups: tuple[NodegroupFacts, ...] = ()
    karpenter: bool = False
    nodeclasses: Mapping[str, str] = field(default_factory=dict)  # NodePool -> EC2NodeClass
    namespace: str = ""
    namespace_labels: Mapping[str, str] = field(default_factory=dict)
    host_network: bool = False
    host_ipc: bool = False
    cluster: str = ""
    region: str = ""

    def nodegroup(self, name: str) -> NodegroupFacts | None:
        return next((g for g in self.nodegroups if g.name == name), None)

    def requested(self) -> dict[str, str]:
        return dict(self.sysctls)


def sysctls_of(pod_spec: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...]:
    """``spec.securityContext.sysctls`` as ((name, value), ...) in the pod's order."""
    ctx = (pod_spec or {}).get("securityContext") or {}
    return tuple((str(s.get("name", "")), str(s.get("value", ""))) for s in ctx.get("sysctls") or [])


NODEGROUP_LABEL = "eks.amazonaws.com/nodegroup"
NODEPOOL_LABEL = "karpenter.sh/nodepool"
INSTANCE_TYPE_LABEL = "node.kubernetes.io/instance-type"


def node_facts(node: Mapping[str, Any], kubelet_config: Mapping[str, Any] | None = None) -> NodeFacts:
    """From a core/v1 Node as the API returns it (``status.nodeInfo`` carries kubelet, kernel, OS image)."""
    meta = node.get("metadata") or {}
    labels = dict(meta.get("labels") or {})
    info = (node.get("status") or {}).get("nodeInfo") or {}
    return NodeFacts(
        name=meta.get("name", ""),
        kubelet=info.get("kubeletVersion", ""),
        kernel=info.get("kernelVersion", ""),
        os_image=info.get("osImage", ""),
        nodegroup=labels.get(NODEGROUP_LABEL, ""),
        nodepool=labels.get(NODEPOOL_LABEL, ""),
        instance_type=labels.get(INSTANCE_TYPE_LABEL, ""),
        labels=labels,
        allowed_unsafe=None if kubelet_config is None else tuple(kubelet_config.get("allowedUnsafeSysctls") or ()),
    )


def nodegroup_facts(ng: Mapping[str, Any]) -> NodegroupFacts:
    """From the ``nodegroup`` object of eks:DescribeNodegroup."""
    return NodegroupFacts(
        name=ng.get("nodegroupName", ""),
        ami_type=ng.get("amiType", ""),
        version=ng.get("version", ""),
        release_version=ng.get("releaseVersion", ""),
        launch_template=bool(ng.get("launchTemplate")),
        instance_types=tuple(ng.get("instanceTypes") or ()),
    )


# What the kubelets in scope make of a sysctl (``advice.verdict``).
INVALID, NODE_LEVEL, HOST_NS = "invalid", "node_level", "host_namespace"
SAFE, LAGGING, KERNEL, AFTER_UPGRADE, UNSAFE = (
    "safe",
    "kubelet_lagging",
    "kernel_too_old",
    "safe_after_upgrade",
    "unsafe",
)
NEEDS_ALLOWLIST = (AFTER_UPGRADE, UNSAFE)


@dataclass(frozen=True)
class Verdict:
    """What the kubelets in scope make of one sysctl, and what Pod Security admission makes of it."""

    name: str
    value: str
    kind: str
    blocked_on: tuple[str, ...] = ()  # nodes whose kubelet refuses it
    psa: str = ""  # "", "pinned" (a newer policy version admits it) or "forbidden"

    def __str__(self) -> str:
        return f"{self.name}={self.value}: {self.kind}{' psa=' + self.psa if self.psa else ''}"
