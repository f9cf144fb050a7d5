"""Loaders for tests/fixtures/image_pull: the seed world's EC2 state as records, and pod builders."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from handlers.image_pull.model import FailingPod, NodeNet, Owner, VpcState

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "image_pull"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def seed_state() -> tuple[dict[str, str], NodeNet, dict[str, Any]]:
    """(facts, node, raw vpc dict) of the private-subnet seed world; the dict is a fresh copy to edit."""
    data = load("private_subnet_vpc.json")
    node = data["node"]
    return (
        data["facts"],
        NodeNet(**{**node, "security_group_ids": tuple(node["security_group_ids"])}),
        copy.deepcopy(data["vpc"]),
    )


def vpc_from(raw: dict[str, Any]) -> VpcState:
    """The fixture VPC; ``dns_support`` / ``dns_hostnames`` default to on, as EKS requires."""
    return VpcState(
        raw["vpc_id"],
        raw["region"],
        tuple(raw["cidrs"]),
        *(
            tuple(raw[k])
            for k in (
                "subnets",
                "route_tables",
                "endpoints",
                "network_acls",
                "security_groups",
                "nat_gateways",
                "internet_gateways",
            )
        ),
        dns_support=raw.get("dns_support", True),
        dns_hostnames=raw.get("dns_hostnames", True),
    )


def route_table(raw: dict[str, Any], rt_id: str) -> dict[str, Any]:
    return next(t for t in raw["route_tables"] if t["RouteTableId"] == rt_id)


def failing(
    name: str,
    image: str,
    message: str,
    node: str,
    ns: str = "apps",
    owner: Owner | None = None,
    controller_uid: str = "rs-uid",
) -> FailingPod:
    return FailingPod(
        ns,
        name,
        f"uid-{name}",
        node,
        "app",
        image,
        "ErrImagePull",
        message,
        owner or Owner("Deployment", "web", "dep-uid", {"app": "web"}, "RollingUpdate"),
        controller_uid,
    )
