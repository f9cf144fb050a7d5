"""A check of generated eksctl ClusterConfig files against eksctl's own field names and rules.

Pure; used by the tests of ``handlers.sysctl.nodeconfig`` and by ``advice`` before a file is
posted, so a typo in a generator can never reach a thread. Field names are those of the JSON tags
in eksctl's pkg/apis/eksctl.io/v1alpha5/types.go (NodeGroupBase, ManagedNodeGroup, NodeGroup,
NodeGroupBottlerocket, ScalingConfig); https://eksctl.io/usage/schema/ lists the same. Only the
fields the bot might emit plus their common neighbours are listed, so an unknown key is a real
error, not a gap in this table.
"""

from __future__ import annotations

from typing import Any

import yaml

_BASE = frozenset(
    {
        "name",
        "amiFamily",
        "instanceType",
        "availabilityZones",
        "subnets",
        "instancePrefix",
        "instanceName",
        "desiredCapacity",
        "minSize",
        "maxSize",
        "volumeSize",
        "ssh",
        "labels",
        "privateNetworking",
        "tags",
        "iam",
        "ami",
        "securityGroups",
        "maxPodsPerNode",
        "asgSuspendProcesses",
        "ebsOptimized",
        "volumeType",
        "volumeName",
        "volumeEncrypted",
        "volumeKmsKeyID",
        "volumeIOPS",
        "volumeThroughput",
        "preBootstrapCommands",
        "overrideBootstrapCommand",
        "disableIMDSv1",
        "disablePodIMDS",
        "placement",
        "bottlerocket",
        "propagateASGTags",
        "efaEnabled",
        "enableDetailedMonitoring",
        "additionalVolumes",
        "containerRuntime",
    }
)
MANAGED_FIELDS = _BASE | {
    "instanceTypes",
    "spot",
    "taints",
    "updateConfig",
    "launchTemplate",
    "releaseVersion",
}
SELF_MANAGED_FIELDS = _BASE | {
    "instancesDistribution",
    "asgMetricsCollection",
    "cpuCredits",
    "taints",
    "classicLoadBalancerNames",
    "targetGroupARNs",
    "clusterDNS",
    "kubeletExtraConfig",
    "updateConfig",
}
TOP_FIELDS = frozenset(
    {
        "apiVersion",
        "kind",
        "metadata",
        "managedNodeGroups",
        "nodeGroups",
        "vpc",
        "iam",
        "addons",
        "fargateProfiles",
        "availabilityZones",
        "cloudWatch",
        "secretsEncryption",
    }
)
METADATA_FIELDS = frozenset({"name", "region", "version", "tags", "annotations"})
BOTTLEROCKET_FIELDS = frozenset({"enableAdminContainer", "settings"})
AMI_FAMILIES = frozenset(
    {
        "AmazonLinux2",
        "AmazonLinux2023",
        "Bottlerocket",
        "Ubuntu2004",
        "Ubuntu2204",
        "UbuntuPro2204",
        "Ubuntu2404",
        "WindowsServer2019FullContainer",
        "WindowsServer2019CoreContainer",
        "WindowsServer2022FullContainer",
        "WindowsServer2022CoreContainer",
    }
)


def _unknown(where: str, keys: Any, allowed: frozenset[str]) -> list[str]:
    return [f"{where}: unknown field `{k}`" for k in keys if k not in allowed]


def _nodegroup(where: str, ng: dict[str, Any], *, managed: bool) -> list[str]:
    problems = _unknown(where, ng, MANAGED_FIELDS if managed else SELF_MANAGED_FIELDS)
    if not ng.get("name"):
        problems.append(f"{where}: `name` is required")
    family = ng.get("amiFamily")
    if family is not None and family not in AMI_FAMILIES:
        problems.append(f"{where}: amiFamily `{family}` is not one eksctl knows")
    if managed and ng.get("overrideBootstrapCommand") and not ng.get("ami"):
        problems.append(f"{where}: overrideBootstrapCommand on a managed node group needs a custom `ami`")
    if managed and ng.get("ami") and not ng.get("overrideBootstrapCommand") and family != "Bottlerocket":
        problems.append(f"{where}: a custom `ami` on a managed node group needs overrideBootstrapCommand")
    if ng.get("bottlerocket") is not None:
        problems += _unknown(f"{where}.bottlerocket", ng["bottlerocket"], BOTTLEROCKET_FIELDS)
        if family != "Bottlerocket":
            problems.append(f"{where}: `bottlerocket` settings need amiFamily Bottlerocket")
    command = ng.get("overrideBootstrapCommand") or ""
    if command and "--allowed-unsafe-sysctls" in command and "/etc/eks/bootstrap.sh" not in command:
        problems.append(f"{where}: overrideBootstrapCommand must call /etc/eks/bootstrap.sh")
    return problems


def validate_eksctl(text_or_doc: str | dict[str, Any]) -> list[str]:
    """Problems found in an eksctl ClusterConfig (empty list: none)."""
    doc = yaml.safe_load(text_or_doc) if isinstance(text_or_doc, str) else text_or_doc
    if not isinstance(doc, dict):
        return ["not a YAML mapping"]
    problems = _unknown("ClusterConfig", doc, TOP_FIELDS)
    if doc.get("apiVersion") != "eksctl.io/v1alpha5" or doc.get("kind") != "ClusterConfig":
        problems.append("apiVersion/kind must be eksctl.io/v1alpha5 ClusterConfig")
    meta = doc.get("metadata") or {}
    problems += _unknown("metadata", meta, METADATA_FIELDS)
    if not meta.get("name") or not meta.get("region"):
        problems.append("metadata.name and metadata.region are required")
    for key, managed in (("managedNodeGroups", True), ("nodeGroups", False)):
        for i, ng in enumerate(doc.get(key) or []):
            problems += _nodegroup(f"{key}[{i}]", ng, managed=managed)
    return problems
