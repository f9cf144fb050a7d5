"""What ``collect`` found, link by link, as plain frozen records. Pure: no I/O.

``collect`` (I/O) fills an ``Evidence``; ``analyse`` and ``plan`` (pure) read it, and tests
build one by hand from fixture files. Every field is what the bot saw, never a conclusion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from handlers.irsa.decoded import DecodedFailure
from handlers.irsa.permissions import PolicySource

ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
CLUSTER_TAG = "elbv2.k8s.aws/cluster"
GROUP_ANNOTATION = "alb.ingress.kubernetes.io/group.name"


@dataclass(frozen=True)
class IngressFacts:
    namespace: str
    name: str
    exists: bool
    deletion_timestamp: str = ""
    finalizers: tuple[str, ...] = ()
    hostname: str = ""
    stuck_seconds: float = 0.0
    # The explicit IngressGroup (``alb.ingress.kubernetes.io/group.name``) it belongs to, if any.
    group: str = ""

    @property
    def target(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class ControllerError:
    """One AWS authorization error read from an event or a controller log line."""

    source: str
    text: str
    kind: str
    role: str = ""
    action: str = ""
    resource: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Workload:
    kind: str
    namespace: str
    name: str
    restarted_at: str = ""


@dataclass(frozen=True)
class ServiceAccountFacts:
    namespace: str
    name: str
    exists: bool
    role_arn: str = ""
    workloads: tuple[Workload, ...] = ()
    pods: int = 0
    pods_without_identity: tuple[str, ...] = ()
    pod_identity_role: str = ""

    @property
    def target(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class ControllerFacts:
    """The AWS Load Balancer Controller as the cluster runs it, found by namespace and Deployment.

    ``service_accounts`` are the accounts its pods (owned by the Deployment's ReplicaSets) run
    as; ``role_arn`` is the role their account is annotated with (or its Pod Identity role).
    """

    namespace: str
    deployment: str
    exists: bool
    pods: tuple[str, ...] = ()
    service_accounts: tuple[str, ...] = ()
    role_arn: str = ""

    @property
    def target(self) -> str:
        return f"{self.namespace}/{self.deployment}"


@dataclass(frozen=True)
class Claim:
    """Something a pasted error named that live state did not confirm: reported, never acted on."""

    what: str  # "role", "service_account", "load_balancer"
    claimed: str
    live: str = ""


@dataclass(frozen=True)
class OidcFacts:
    issuer: str
    provider_arn: str
    provider_exists: bool
    client_ids: tuple[str, ...] = ()
    other_providers: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoleFacts:
    name: str
    arn: str
    exists: bool
    trust: Mapping[str, Any] | None = None
    policies: tuple[PolicySource, ...] = ()
    boundary: PolicySource | None = None


@dataclass(frozen=True)
class LoadBalancerFacts:
    arn: str
    name: str
    dns: str
    exists: bool = True
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Simulation:
    """What ``iam:SimulatePrincipalPolicy`` answered, or why it could not be asked."""

    available: bool
    decision: str = ""
    matched: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Evidence:
    target: str
    cluster: str
    account: str
    ingress: IngressFacts | None = None
    errors: tuple[ControllerError, ...] = ()
    service_accounts: tuple[ServiceAccountFacts, ...] = ()
    oidc: OidcFacts | None = None
    role: RoleFacts | None = None
    load_balancer: LoadBalancerFacts | None = None
    action: str = ""
    resource: str = ""
    simulation: Simulation | None = None
    notes: tuple[str, ...] = ()
    controller: ControllerFacts | None = None
    claims: tuple[Claim, ...] = ()
    component: str = ""
    role_source: str = ""  # "service_account" (annotation or Pod Identity), "hint" or "named"
    # "ingress": the one the stuck ingress's status names; "named": read only to evaluate a pasted error
    load_balancer_source: str = ""
    partition: str = "aws"
    decoded: DecodedFailure | None = None  # the pasted encoded authorization message, as AWS decoded it
    decode_problem: str = ""  # why it could not be decoded (``handlers.irsa.decoded``), "" if it was

    @property
    def main_error(self) -> ControllerError | None:
        return self.errors[0] if self.errors else None
