"""Records the image-pull diagnoser passes between its steps: what ``collect`` gathered.

Plain frozen data, no I/O. ``collect`` builds them from Kubernetes and EC2/IAM/ECR answers;
``network``, ``analyse`` and ``plan`` read them; tests build them from fixture files.
Raw AWS answers are kept as the dicts the API returned, so fixtures can be real responses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Raw = Mapping[str, Any]
PULL_REASONS = (
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "ErrImageNeverPull",
    "RegistryUnavailable",
)


@dataclass(frozen=True)
class Owner:
    """The workload that owns a pod: ``kind``/``name`` after following ReplicaSet -> Deployment."""

    kind: str
    name: str
    uid: str = ""
    selector: Mapping[str, Any] = field(default_factory=dict)  # the workload's LabelSelector
    strategy: str = ""  # RollingUpdate | OnDelete | Recreate | "" (bare pod or unknown)

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass(frozen=True)
class FailingPod:
    """One container of one pod that cannot pull its image."""

    namespace: str
    name: str
    uid: str
    node: str
    container: str
    image: str
    reason: str
    message: str
    owner: Owner | None = None
    controller_uid: str = ""  # the pod's immediate controller (ReplicaSet, DaemonSet, ...)
    irsa: bool = False

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name} [{self.container}] {self.reason}: {self.image}"


@dataclass(frozen=True)
class NodeNet:
    """Where a node sits in the network: its instance, subnet, groups and instance profile."""

    node: str
    instance_id: str
    vpc_id: str
    subnet_id: str
    private_ip: str
    az: str = ""
    public_ip: str = ""
    security_group_ids: tuple[str, ...] = ()
    instance_profile_arn: str = ""

    def __str__(self) -> str:
        return f"{self.node} ({self.instance_id}, {self.subnet_id})"


@dataclass(frozen=True)
class VpcState:
    """One VPC as EC2 describes it, each list exactly as the describe call returned it."""

    vpc_id: str
    region: str
    cidrs: tuple[str, ...] = ()
    subnets: tuple[Raw, ...] = ()
    route_tables: tuple[Raw, ...] = ()
    endpoints: tuple[Raw, ...] = ()
    network_acls: tuple[Raw, ...] = ()
    security_groups: tuple[Raw, ...] = ()
    nat_gateways: tuple[Raw, ...] = ()
    internet_gateways: tuple[Raw, ...] = ()
    # ``ec2:DescribeVpcAttribute``; private DNS on interface endpoints needs both on
    dns_support: bool = True
    dns_hostnames: bool = True

    def __str__(self) -> str:
        return f"{self.vpc_id} ({', '.join(self.cidrs)})"

    def subnet(self, subnet_id: str) -> Raw | None:
        return next((s for s in self.subnets if s.get("SubnetId") == subnet_id), None)

    def group(self, group_id: str) -> Raw | None:
        return next((g for g in self.security_groups if g.get("GroupId") == group_id), None)


@dataclass(frozen=True)
class RoleFacts:
    """A node instance role and the ECR read access it has (attached managed + inline allows)."""

    profile_arn: str
    role_name: str
    attached_policy_arns: tuple[str, ...] = ()
    inline_ecr_actions: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.role_name} ({len(self.attached_policy_arns)} attached)"


@dataclass(frozen=True)
class RepoTags:
    """Tags of one ECR repository in this account; ``exists`` False when the repository is missing."""

    repository: str
    exists: bool
    tags: tuple[str, ...] = ()
    other_repositories: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.repository}: {len(self.tags)} tags" if self.exists else f"{self.repository}: missing"


@dataclass(frozen=True)
class Evidence:
    """Everything ``collect`` gathered for one request."""

    scope: str
    region: str
    account_id: str
    pods: tuple[FailingPod, ...] = ()
    nodes: Mapping[str, NodeNet] = field(default_factory=dict)
    vpcs: Mapping[str, VpcState] = field(default_factory=dict)
    roles: Mapping[str, RoleFacts] = field(default_factory=dict)
    repos: Mapping[str, RepoTags] = field(default_factory=dict)
    ptc_secret_arns: tuple[str, ...] = ()
    ptc_rules: Mapping[str, str] = field(default_factory=dict)  # repository prefix -> upstream registry URL
    pods_seen: int = 0

    def __str__(self) -> str:
        return f"{self.scope}: {len(self.pods)} failing of {self.pods_seen} pods, {len(self.nodes)} nodes"
