"""Can this node reach that registry on 443? A pure walk of the VPC path, with the broken links.

Called by ``handlers.image_pull.analyse`` for every (registry, subnet) of failing pods, by
``plan`` to check that a proposed fix really opens the path, and by the sandbox world's kubelet
imitation on freshly described EC2 state. Two ways out are considered:

* the internet: the subnet's route table (its explicit association, else the VPC's main
  table) has a default route to an available NAT gateway whose own subnet routes to an
  internet gateway attached to the VPC (or to an internet gateway directly, which only helps a
  node with a public IP); the node's security groups allow egress 443 to 0.0.0.0/0 and the
  subnet's network ACL lets 443 out and the ephemeral-port replies back in;
* for ECR in this VPC's region: interface endpoints ``ecr.api`` and ``ecr.dkr`` with private
  DNS whose security groups admit 443 from the node, plus the ``s3`` gateway endpoint attached
  to the node's route table (image layers come from S3).

The look-ups in the described VPC (which route table, ACL, endpoint) are in
``handlers.image_pull.vpc``; they stay importable from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from handlers.image_pull import rules
from handlers.image_pull.model import NodeNet, Raw, VpcState
from handlers.image_pull.vpc import (
    ABSENT,
    ECR_INTERFACES,
    default_route,
    egress_route,
    endpoint_shape,
    find_endpoint,
    network_acl_for,
    route_destination,
    route_table_for,
    route_target,
    route_to_igw,
    service_name,
    usable_nat,
)

__all__ = [  # the look-ups of ``vpc`` stay importable from here
    "ABSENT",
    "ECR_INTERFACES",
    "Blocker",
    "PathReport",
    "analyse_path",
    "default_route",
    "endpoint_blockers",
    "endpoint_shape",
    "endpoints_serve",
    "find_endpoint",
    "internet_blockers",
    "network_acl_for",
    "route_table_for",
    "route_target",
    "service_name",
    "usable_nat",
]


@dataclass(frozen=True)
class Blocker:
    """One broken link. ``code`` is stable (``route.no_default``); ``data`` names the objects."""

    code: str
    data: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code} {self.data}"


@dataclass(frozen=True)
class PathReport:
    """The verdict for one node and one registry, with each path's blockers."""

    reachable: bool
    via: str  # "nat" | "igw" | "endpoints" | ""
    route_table_id: str
    nat_gateway_id: str = ""
    internet: tuple[Blocker, ...] = ()
    endpoints: tuple[Blocker, ...] = ()
    endpoints_apply: bool = False  # whether VPC endpoints can serve this registry at all

    @property
    def uninspectable(self) -> str:
        """The target of an egress route the bot cannot see through (``tgw-...``), or ""."""
        return next((b.data["target"] for b in self.internet if b.code == "route.uninspectable"), "")

    def __str__(self) -> str:
        if self.reachable:
            return f"reachable via {self.via}"
        return "unreachable: " + ", ".join(b.code for b in self.internet + self.endpoints)


def _nacl_blockers(vpc: VpcState, subnet_id: str, cidr: str, towards: str) -> list[Blocker]:
    acl = network_acl_for(vpc, subnet_id)
    if acl is None:
        return []
    out_ok, back_ok = rules.nacl_allows_https(acl.get("Entries") or [], cidr)
    found = []
    acl_id = acl.get("NetworkAclId", "")
    if not out_ok:
        found.append(Blocker("nacl.egress_443", {"network_acl_id": acl_id, "cidr": cidr, "towards": towards}))
    if not back_ok:
        found.append(Blocker("nacl.ingress_ephemeral", {"network_acl_id": acl_id, "cidr": cidr, "towards": towards}))
    return found


def _node_groups(vpc: VpcState, node: NodeNet) -> list[Raw]:
    return [g for g in (vpc.group(i) for i in node.security_group_ids) if g is not None]


def internet_blockers(node: NodeNet, vpc: VpcState) -> tuple[list[Blocker], str, str]:
    """(blockers, via, nat id) for reaching the internet from the node's subnet."""
    table = route_table_for(vpc, node.subnet_id)
    rt_id = (table or {}).get("RouteTableId", "")
    route = egress_route(vpc, table)
    found: list[Blocker] = []
    via, nat_id = "", ""
    default = route is not None and route.get("DestinationCidrBlock") == rules.INTERNET
    if route is None:
        found.append(Blocker("route.no_default", {"route_table_id": rt_id}))
    elif route.get("State") == "blackhole":
        found.append(Blocker("route.blackhole", {"route_table_id": rt_id, "route": dict(route)}))
    elif not default or not (route.get("NatGatewayId") or str(route.get("GatewayId", "")).startswith("igw-")):
        # centralised egress (transit gateway, firewall endpoint, NAT instance, peering), IPv6-only
        # or prefix-list routes: a path whose far side the bot cannot see, never "broken"
        found.append(
            Blocker(
                "route.uninspectable",
                {"route_table_id": rt_id, "target": route_target(route), "destination": route_destination(route)},
            )
        )
    elif route.get("NatGatewayId"):
        nat_id = route["NatGatewayId"]
        nat = next((n for n in vpc.nat_gateways if n.get("NatGatewayId") == nat_id), None)
        if nat is None or nat.get("State") != "available":
            found.append(
                Blocker(
                    "nat.not_available",
                    {"nat_gateway_id": nat_id, "state": (nat or {}).get("State", "missing")},
                )
            )
        elif not route_to_igw(vpc, route_table_for(vpc, nat.get("SubnetId", ""))):
            found.append(Blocker("nat.subnet_no_igw", {"nat_gateway_id": nat_id, "subnet_id": nat.get("SubnetId")}))
        via = "nat"
    elif str(route.get("GatewayId", "")).startswith("igw-"):
        if not node.public_ip:
            found.append(Blocker("igw.no_public_ip", {"route_table_id": rt_id, "gateway_id": route["GatewayId"]}))
        via = "igw"
    if not rules.groups_permit(_node_groups(vpc, node), "egress", 443, rules.INTERNET):
        found.append(
            Blocker(
                "sg.egress_443",
                {"group_ids": list(node.security_group_ids), "cidr": rules.INTERNET, "towards": "internet"},
            )
        )
    found += _nacl_blockers(vpc, node.subnet_id, rules.INTERNET, "internet")
    return found, via, nat_id


def _interface_blockers(vpc: VpcState, node: NodeNet, service: str) -> list[Blocker]:
    ep = find_endpoint(vpc, service)
    if ep is None:
        return [Blocker("endpoint.missing", {"service": service})]
    ep_id = ep.get("VpcEndpointId", "")
    found = []
    state = str(ep.get("State", "available")).lower()
    if state != "available":
        found.append(Blocker("endpoint.not_available", {"service": service, "endpoint_id": ep_id, "state": state}))
    if not ep.get("PrivateDnsEnabled"):
        found.append(Blocker("endpoint.no_private_dns", {"service": service, "endpoint_id": ep_id}))
    ep_groups = [g for g in (vpc.group(x.get("GroupId", "")) for x in ep.get("Groups") or []) if g]
    node_cidr = f"{node.private_ip}/32" if node.private_ip else ""
    if not rules.groups_permit(ep_groups, "ingress", 443, node_cidr, node.security_group_ids):
        found.append(
            Blocker(
                "endpoint.sg_blocks",
                {
                    "service": service,
                    "endpoint_id": ep_id,
                    "group_ids": [g.get("GroupId") for g in ep_groups],
                },
            )
        )
    dests = [str((vpc.subnet(s) or {}).get("CidrBlock") or "") for s in ep.get("SubnetIds") or []]
    dests = [d for d in dests if d] or list(vpc.cidrs[:1])
    groups = _node_groups(vpc, node)
    ep_group_ids = [g.get("GroupId", "") for g in ep_groups]
    if not any(rules.groups_permit(groups, "egress", 443, d, ep_group_ids) for d in dests):
        found.append(
            Blocker(
                "sg.egress_443",
                {"group_ids": list(node.security_group_ids), "cidr": dests[0], "towards": service},
            )
        )
    for dest in dests[:1]:
        found += _nacl_blockers(vpc, node.subnet_id, dest, service)
    return found


def endpoint_blockers(node: NodeNet, vpc: VpcState, *, needs_sts: bool = False) -> list[Blocker]:
    """Blockers of the private path to ECR in this VPC's region."""
    table = route_table_for(vpc, node.subnet_id)
    rt_id = (table or {}).get("RouteTableId", "")
    found: list[Blocker] = []
    if not (vpc.dns_support and vpc.dns_hostnames):
        # private DNS of interface endpoints needs both attributes (CreateVpcEndpoint, PrivateDnsEnabled)
        found.append(
            Blocker(
                "vpc.dns_attributes",
                {"vpc_id": vpc.vpc_id, "dns_support": vpc.dns_support, "dns_hostnames": vpc.dns_hostnames},
            )
        )
    shorts = ECR_INTERFACES + (("sts",) if needs_sts else ())
    for short in shorts:
        found += _interface_blockers(vpc, node, service_name(vpc.region, short))
    s3 = find_endpoint(vpc, service_name(vpc.region, "s3"))
    if s3 is None or s3.get("VpcEndpointType") != "Gateway":
        found.append(Blocker("s3.missing", {"service": service_name(vpc.region, "s3"), "route_table_id": rt_id}))
    elif rt_id not in (s3.get("RouteTableIds") or []):
        found.append(Blocker("s3.not_attached", {"endpoint_id": s3.get("VpcEndpointId"), "route_table_id": rt_id}))
    if not rules.groups_permit(_node_groups(vpc, node), "egress", 443, rules.INTERNET, prefix_list=True):
        found.append(
            Blocker(
                "sg.egress_443",
                {"group_ids": list(node.security_group_ids), "cidr": "s3 prefix list", "towards": "s3"},
            )
        )
    return found


def endpoints_serve(registry_kind: str, ecr_region: str, vpc_region: str) -> bool:
    """VPC endpoints only serve private ECR in the VPC's own region (any account)."""
    return registry_kind == "ecr_private" and (ecr_region or vpc_region) == vpc_region


def analyse_path(
    node: NodeNet, vpc: VpcState, registry_kind: str, ecr_region: str = "", *, needs_sts: bool = False
) -> PathReport:
    """Whether ``node`` can reach a registry of ``registry_kind`` on 443, and what blocks it."""
    table = route_table_for(vpc, node.subnet_id)
    rt_id = (table or {}).get("RouteTableId", "")
    inet, via, nat_id = internet_blockers(node, vpc)
    report = partial(PathReport, route_table_id=rt_id, nat_gateway_id=nat_id)
    if not inet:
        return report(reachable=True, via=via, endpoints_apply=endpoints_serve(registry_kind, ecr_region, vpc.region))
    if not endpoints_serve(registry_kind, ecr_region, vpc.region):
        return report(reachable=False, via="", internet=tuple(inet), endpoints=(), endpoints_apply=False)
    private = endpoint_blockers(node, vpc, needs_sts=needs_sts)
    return report(
        reachable=not private,
        via="" if private else "endpoints",
        internet=tuple(inet),
        endpoints=tuple(private),
        endpoints_apply=True,
    )
