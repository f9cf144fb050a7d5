"""Every world by name, for scripts: ``Sandbox().seed("image-pull-tgw")`` returns the world's facts.

A name stays valid once published; worlds are seeded into the running sandbox's moto server and
Kubernetes stand-in, and each returns the facts a script needs (names of the stuck objects, ids).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.runtime import Sandbox

Seeder = Callable[["Sandbox"], dict[str, Any]]


def _pods(sb: Sandbox) -> dict[str, Any]:
    from sandbox.worlds.pods import seed_pod_restart_world

    return dict(seed_pod_restart_world(sb.kube))


def _image_pull(name: str, **kwargs: Any) -> Seeder:
    def seed(sb: Sandbox) -> dict[str, Any]:
        from sandbox.worlds import image_pull

        return getattr(image_pull, name)(sb.aws, sb.kube, **kwargs)

    return seed


def _tgw(sb: Sandbox) -> dict[str, Any]:
    from sandbox.worlds.image_pull_tgw import seed_tgw_egress_world

    return seed_tgw_egress_world(sb.aws, sb.kube)


def _irsa(name: str) -> Seeder:
    def seed(sb: Sandbox) -> dict[str, Any]:
        from sandbox.worlds import irsa

        sb.ctx.lb_controller = irsa.CONTROLLER_LOCATION
        return getattr(irsa, name)(sb.aws, sb.kube)

    return seed


def _ingress_group(sb: Sandbox) -> dict[str, Any]:
    from sandbox.worlds import irsa
    from sandbox.worlds.irsa_group import seed_ingress_group_world

    sb.ctx.lb_controller = irsa.CONTROLLER_LOCATION
    return seed_ingress_group_world(sb.aws, sb.kube)


def _rds(name: str) -> Seeder:
    def seed(sb: Sandbox) -> dict[str, Any]:
        from sandbox.worlds import rds

        return getattr(rds, name)(sb.aws, clock=sb.clock)

    return seed


def _sysctl(name: str) -> Seeder:
    def seed(sb: Sandbox) -> dict[str, Any]:
        from sandbox.worlds import sysctl

        return getattr(sysctl, name)(sb.aws, sb.kube)

    return seed


def _sysctl_allowlisted(sb: Sandbox) -> dict[str, Any]:
    from sandbox.worlds.sysctl_allowlisted import seed_allowlisted

    return seed_allowlisted(sb.aws, sb.kube)


WORLDS: dict[str, Seeder] = {
    "pods": _pods,
    "image-pull-private-subnet": _image_pull("seed_private_subnet_world"),
    "image-pull-missing-tag": _image_pull("seed_missing_tag_world"),
    "image-pull-dockerhub-rate-limit": _image_pull("seed_dockerhub_rate_limit_world"),
    "image-pull-tgw": _tgw,
    "ingress-trust": _irsa("seed_ingress_trust_world"),
    "ingress-untagged-lb": _irsa("seed_ingress_untagged_lb_world"),
    "ingress-group": _ingress_group,
    "rds": _rds("seed_rds_world"),
    "rds-multi-az-cluster": _rds("seed_multi_az_cluster"),
    "sysctl-keepalive-on-1.28": _sysctl("seed_keepalive_on_128"),
    "sysctl-lagging-nodegroup": _sysctl("seed_lagging_nodegroup"),
    "sysctl-psa-pinned": _sysctl("seed_psa_pinned"),
    "sysctl-allowlisted": _sysctl_allowlisted,
}


def seed(sandbox: Sandbox, name: str) -> dict[str, Any]:
    if name not in WORLDS:
        raise ValueError(f"unknown world {name!r}; choose from {', '.join(WORLDS)}")
    return WORLDS[name](sandbox)
