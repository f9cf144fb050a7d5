"""Sandbox world (d) of the sysctl scenario: the kubelets already allow the sysctl; Pod Security does not.

EKS 1.30 with an AL2023 node group whose kubelets run with ``allowedUnsafeSysctls:
[net.core.somaxconn]`` (served at ``/api/v1/nodes/NODE/proxy/configz``), and namespace ``default``
enforcing Pod Security ``baseline``, whose sysctls check never admits ``net.core.somaxconn``. The
world's own tables (``sandbox.worlds.sysctl_rules``) decide, as in ``sandbox.worlds.sysctl``.
"""

from __future__ import annotations

from typing import Any

from sandbox.kube_api import KubeStandIn
from sandbox.worlds.sysctl import (
    CLUSTER,
    FIRST_NODE,
    NAMESPACE,
    PSA_ENFORCE,
    add_deployment,
    build_world,
)

SOMAXCONN = "net.core.somaxconn"


def seed_allowlisted(aws: Any, kube: KubeStandIn) -> dict[str, Any]:
    """(d) 1.30, AL2023 node group whose kubelets already allow ``net.core.somaxconn`` (their configz
    says so), but namespace default enforces Pod Security baseline, which never admits it: Deployment
    ``web`` gets no pods, and no node change would help."""
    world = build_world(
        aws,
        kube,
        "1.30",
        "ng-al2023",
        "1.30",
        "AL2023_x86_64_STANDARD",
        {PSA_ENFORCE: "baseline"},
        (f"{NAMESPACE}/web",),
        allow=(SOMAXCONN,),
    )
    add_deployment(
        kube,
        "web",
        {
            "containers": [{"name": "web", "image": "nginx"}],
            "securityContext": {"sysctls": [{"name": SOMAXCONN, "value": "4096"}]},
        },
    )
    return {
        "cluster": CLUSTER,
        "namespace": NAMESPACE,
        "deployment": "web",
        "node": FIRST_NODE,
        "nodegroup": "ng-al2023",
        "world": world,
    }


def relabel_namespace(kube: KubeStandIn, namespace: str, labels: dict[str, str]) -> None:
    """What namespace owners do with Pod Security advice: change the namespace's labels."""
    ns = kube.get("Namespace", None, namespace)
    ns["metadata"]["labels"] = {**(ns["metadata"].get("labels") or {}), **labels}
    kube.put(ns)
    kube.reconcile()
