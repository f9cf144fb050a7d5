"""Look-ups in a described VPC for the image-pull diagnoser: which table, ACL, route, endpoint. Pure.

No verdicts here: ``handlers.image_pull.network`` walks the path with these and names the broken
links; ``plan_network`` and ``operations_vpc`` use them to shape fixes (``usable_nat``,
``endpoint_shape``, ``route_target``). Everything reads a ``VpcState`` built by
``collect_aws.describe_vpcs``. ``network`` re-exports the public names, so both paths import.
"""

from __future__ import annotations

from typing import Any

from handlers.image_pull import rules
from handlers.image_pull.model import Raw, VpcState

ECR_INTERFACES = ("ecr.api", "ecr.dkr")
ABSENT: dict[str, Any] = {"exists": False}


def service_name(region: str, short: str) -> str:
    return f"com.amazonaws.{region}.{short}"


def route_table_for(vpc: VpcState, subnet_id: str) -> Raw | None:
    """The subnet's explicitly associated route table, else the VPC's main one."""
    main = None
    for table in vpc.route_tables:
        for assoc in table.get("Associations") or []:
            if assoc.get("SubnetId") == subnet_id:
                return table
            if assoc.get("Main"):
                main = table
    return main


def default_route(table: Raw | None) -> Raw | None:
    for route in (table or {}).get("Routes") or []:
        if route.get("DestinationCidrBlock") == rules.INTERNET:
            return route
    return None


def egress_route(vpc: VpcState, table: Raw | None) -> Raw | None:
    """The route the subnet's traffic to a registry on the internet takes, or None.

    The IPv4 default route; else the IPv6 one (``::/0``, typically an egress-only internet
    gateway); else a prefix-list route that is not a gateway endpoint's own (S3 / DynamoDB).
    """
    routes = list((table or {}).get("Routes") or [])
    default = default_route(table)
    if default is not None:
        return default
    v6 = next((r for r in routes if r.get("DestinationIpv6CidrBlock") == "::/0"), None)
    if v6 is not None:
        return v6
    gateway_endpoints = {e.get("VpcEndpointId") for e in vpc.endpoints if e.get("VpcEndpointType") == "Gateway"}
    return next(
        (r for r in routes if r.get("DestinationPrefixListId") and r.get("GatewayId") not in gateway_endpoints),
        None,
    )


def route_destination(route: Raw) -> str:
    return str(
        route.get("DestinationCidrBlock")
        or route.get("DestinationIpv6CidrBlock")
        or route.get("DestinationPrefixListId")
        or ""
    )


def network_acl_for(vpc: VpcState, subnet_id: str) -> Raw | None:
    default = None
    for acl in vpc.network_acls:
        if any(a.get("SubnetId") == subnet_id for a in acl.get("Associations") or []):
            return acl
        if acl.get("IsDefault"):
            default = acl
    return default


def _igw_attached(vpc: VpcState, igw_id: str) -> bool:
    for igw in vpc.internet_gateways:
        if igw.get("InternetGatewayId") == igw_id:
            return any(
                a.get("VpcId") == vpc.vpc_id and a.get("State") in ("available", "attached")
                for a in igw.get("Attachments") or []
            )
    return False


def route_to_igw(vpc: VpcState, table: Raw | None) -> str:
    """The attached internet gateway that ``table``'s active default route points at, or ""."""
    route = default_route(table)
    gw = (route or {}).get("GatewayId") or ""
    if gw.startswith("igw-") and route.get("State", "active") == "active" and _igw_attached(vpc, gw):
        return gw
    return ""


def find_endpoint(vpc: VpcState, service: str) -> Raw | None:
    live = [
        e
        for e in vpc.endpoints
        if e.get("ServiceName") == service
        and str(e.get("State", "available")).lower() not in ("deleted", "deleting", "failed", "rejected")
    ]
    return live[0] if live else None


def usable_nat(vpc: VpcState) -> str:
    """An available NAT gateway whose subnet routes to an attached internet gateway, or ""."""
    for nat in sorted(vpc.nat_gateways, key=lambda n: n.get("NatGatewayId", "")):
        if nat.get("State") == "available" and route_to_igw(vpc, route_table_for(vpc, nat.get("SubnetId", ""))):
            return str(nat["NatGatewayId"])
    return ""


def endpoint_shape(ep: Raw | None) -> dict[str, Any]:
    """The comparable state of one endpoint (no ids that only exist after creation); plan steps use it."""
    if ep is None:
        return dict(ABSENT)
    return {
        "exists": True,
        "type": ep.get("VpcEndpointType", ""),
        "private_dns": bool(ep.get("PrivateDnsEnabled")) and ep.get("VpcEndpointType") == "Interface",
        "subnet_ids": sorted(ep.get("SubnetIds") or []),
        "security_group_ids": sorted(g.get("GroupId", "") for g in ep.get("Groups") or []),
        "route_table_ids": sorted(ep.get("RouteTableIds") or []),
    }


def route_target(route: Raw | None) -> str:
    """What a route points at (``nat-...``, ``igw-...``, ...), or ``""`` for no route."""
    if not route:
        return ""
    for key in (
        "NatGatewayId",
        "GatewayId",
        "TransitGatewayId",
        "EgressOnlyInternetGatewayId",
        "NetworkInterfaceId",
        "InstanceId",
        "VpcPeeringConnectionId",
        "CarrierGatewayId",
        "LocalGatewayId",
        "CoreNetworkArn",
    ):
        if route.get(key):
            return str(route[key])
    return ""
