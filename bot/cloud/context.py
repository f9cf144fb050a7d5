"""What a diagnoser or an operation gets to work with: one cluster's AWS and Kubernetes access.

Built by the composition root (``bot.bootstrap``) per target cluster and handed down; nothing
here reads the environment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.cloud.aws import Aws
from bot.cloud.kube import Kube


def utcnow() -> datetime:
    return datetime.now(UTC)


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
    extras: dict[str, object] = field(default_factory=dict)
    # Where the AWS Load Balancer Controller runs (NAMESPACE/DEPLOYMENT); the official Helm chart's
    # default is kube-system/aws-load-balancer-controller.
    lb_controller: str = "kube-system/aws-load-balancer-controller"

    @property
    def region(self) -> str:
        return self.aws.region
