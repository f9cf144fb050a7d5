"""The demo scenarios, listed explicitly in the order the demo runs them."""

from __future__ import annotations

from sandbox.scenarios import (
    image_pull,
    image_pull_tgw,
    ingress,
    ingress_group,
    rds,
    rds_multi_az,
    reports,
    sysctl,
    sysctl_allowlisted,
)
from sandbox.scenarios.pod_restart import run as pod_restart

# Each scenario is one or more parts; every part runs in a fresh sandbox (its own world).
SCENARIOS = {
    "pod-restart": (pod_restart,),
    "ingress": ingress.PARTS,
    "ingress-group": ingress_group.PARTS,
    "image-pull": image_pull.PARTS,
    "image-pull-tgw": image_pull_tgw.PARTS,
    "rds": rds.PARTS,
    "rds-multi-az-cluster": rds_multi_az.PARTS,
    "sysctl": sysctl.PARTS,
    "sysctl-allowlisted": sysctl_allowlisted.PARTS,
    "reports": (reports.run,),
}
