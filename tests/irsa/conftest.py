"""The IRSA tests' cluster context: the sandbox worlds run the controller where the seed scenario's
cluster does (``cloudon/aws-load-balancer-controller``), and fixes may change the roles those worlds use."""

from __future__ import annotations

import pytest

from bot.cloud.context import ClusterContext
from sandbox.aws import SANDBOX_ACCOUNT
from sandbox.worlds.irsa import CONTROLLER_LOCATION


@pytest.fixture
def cluster_ctx(aws, kube) -> ClusterContext:
    return ClusterContext(
        aws=aws,
        kube=kube,
        cluster_name="prod",
        account_id=SANDBOX_ACCOUNT,
        wait_seconds=5.0,
        poll_seconds=0.05,
        role_allow_patterns=("AmazonEKS*", "eks-*"),
        lb_controller=CONTROLLER_LOCATION,
    )
