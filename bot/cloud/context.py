"""What a diagnoser or an operation gets to work with: one cluster's AWS and Kubernetes access.

Built by the composition root (``bot.bootstrap``) per target cluster and handed down; nothing
here reads the environment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar, cast

if TYPE_CHECKING:  # types only: a process that never talks to a cluster need not load boto3 and kubernetes
    from bot.cloud.aws import Aws
    from bot.cloud.kube import Kube


def utcnow() -> datetime:
    return datetime.now(UTC)


PortT = TypeVar("PortT")


class FeaturePorts:
    """What features need besides AWS and Kubernetes (their stores, their settings), one object per type.

    The composition root builds each feature's port object once; a feature reads back its own with
    ``ctx.ports.get(ItsPorts)`` and never sees another feature's.
    """

    def __init__(self, *ports: object):
        self._by_type: dict[type, object] = {type(p): p for p in ports}

    def get(self, kind: type[PortT]) -> PortT | None:
        # stored under its own type by __init__, so the object found is a ``kind``
        return cast("PortT | None", self._by_type.get(kind))


@dataclass
class ClusterContext:
    """AWS + Kubernetes for one EKS cluster, plus a clock and the policy knobs fixes need."""

    aws: Aws
    kube: Kube
    cluster_name: str = ""
    account_id: str = ""
    clock: Callable[[], datetime] = utcnow
    role_allow_patterns: tuple[str, ...] = ()  # fnmatch patterns; empty: no role may be changed
    wait_seconds: float = 60.0
    poll_seconds: float = 1.0
    ports: FeaturePorts = field(default_factory=FeaturePorts)
    requester_zone: str = ""  # the requester's own IANA time zone (Slack users.info ``tz``), "" if unknown
    approved_by: str = ""  # the Slack user who approved the plan being applied, when one is
    # Where the AWS Load Balancer Controller runs (NAMESPACE/DEPLOYMENT); the official Helm chart's
    # default is kube-system/aws-load-balancer-controller.
    lb_controller: str = "kube-system/aws-load-balancer-controller"

    @property
    def region(self) -> str:
        return self.aws.region
