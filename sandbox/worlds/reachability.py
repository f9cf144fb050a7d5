"""The image-pull world's own network tables: can this node open TCP 443 to that registry?

Written from the Amazon VPC, PrivateLink, Transit Gateway and ECR documentation (each row cites
its page), not from the bot's diagnoser. ``can_reach`` answers for one destination on a
``Snapshot`` of live EC2 state; ``image_pull_network.path_decider`` turns it into a kubelet
verdict. Rules in force:

* the subnet's route table is its explicit association, else the VPC's main table, and the most
  specific matching route wins (VPC User Guide, "Route tables" / "Route priority":
  https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html#route-tables-priority);
* what a route target leads to is ``ROUTE_TARGETS``; a target whose far side this world cannot
  see (transit gateway, firewall endpoint, NAT instance) is whatever the world declares for it;
* a name served by an interface endpoint resolves to the endpoint only with private DNS on, the
  VPC's ``enableDnsSupport`` and ``enableDnsHostnames`` both true, and the endpoint ``available``;
  otherwise it resolves to the public address and takes the internet path;
* ECR image layers are served from S3: they need the S3 gateway endpoint on the route table
  or the internet path (ECR User Guide, "Amazon ECR interface VPC endpoints":
  https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]
INTERNET_ADDRESS = "52.95.241.14/32"  # a public address standing for any registry on the internet

# (route key, id prefix, what it leads to, source). Verdicts: "igw" internet only for a source with
# a public IPv4 address; "nat" internet when the NAT gateway is available and its own subnet routes
# to an attached internet gateway; "declared" whatever the world says about the far side; "never".
ROUTE_TARGETS: tuple[tuple[str, str, str, str], ...] = (
    (
        "GatewayId",
        "igw-",
        "igw",
        "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html"
        " (instances need a public IPv4 address to reach the internet through an internet gateway)",
    ),
    (
        "NatGatewayId",
        "nat-",
        "nat",
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html"
        " (a public NAT gateway sits in a public subnet whose route table points to the internet gateway)",
    ),
    (
        "TransitGatewayId",
        "tgw-",
        "declared",
        "https://docs.aws.amazon.com/managedservices/latest/userguide/networking-vpc.html (centralised egress: the"
        " NAT gateway is in another VPC behind the transit gateway)",
    ),
    (
        "GatewayId",
        "vpce-",
        "declared",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/gateway/introduction.html (a Gateway Load"
        " Balancer endpoint hands traffic to inspection appliances)",
    ),
    (
        "NetworkInterfaceId",
        "eni-",
        "declared",
        "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_NAT_Instance.html (a NAT instance)",
    ),
    ("InstanceId", "i-", "declared", "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_NAT_Instance.html"),
    (
        "VpcPeeringConnectionId",
        "pcx-",
        "never",
        "https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html (edge-to-edge routing through"
        " the peer's internet or NAT gateway is not supported)",
    ),
    (
        "EgressOnlyInternetGatewayId",
        "eigw-",
        "never",
        "https://docs.aws.amazon.com/vpc/latest/userguide/egress-only-internet-gateway.html (IPv6 only; this"
        " world's nodes are IPv4-only)",
    ),
    ("GatewayId", "vgw-", "declared", "https://docs.aws.amazon.com/vpn/latest/s2svpn/VPC_VPN.html"),
    (
        "GatewayId",
        "local",
        "never",
        "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html"
        " (the local route only covers the VPC CIDR)",
    ),
)
# Return traffic arrives on an ephemeral port: NACLs must let 1024-65535 back in
# (https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html).
EPHEMERAL = (1024, 32768, 65535)


@dataclass
class Snapshot:
    """One node's network as EC2 describes it, with the VPC DNS attributes."""

    instance: Obj
    vpc: Obj
    subnets: list[Obj] = field(default_factory=list)
    route_tables: list[Obj] = field(default_factory=list)
    endpoints: list[Obj] = field(default_factory=list)
    groups: list[Obj] = field(default_factory=list)
    acls: list[Obj] = field(default_factory=list)
    nats: list[Obj] = field(default_factory=list)
    igws: list[Obj] = field(default_factory=list)
    prefix_lists: dict[str, str] = field(default_factory=dict)  # prefix list id -> name
    dns_support: bool = True
    dns_hostnames: bool = True


def _net(cidr: str | None) -> Any:
    try:
        return ipaddress.ip_network(cidr or "", strict=False)
    except ValueError:
        return None


def _covers(rule: str | None, dest: str) -> bool:
    a, b = _net(rule), _net(dest)
    return bool(a and b and a.version == b.version and b.subnet_of(a))


def table_for(snap: Snapshot, subnet_id: str) -> Obj:
    main: Obj = {}
    for table in snap.route_tables:
        for assoc in table.get("Associations") or []:
            if assoc.get("SubnetId") == subnet_id:
                return table
            if assoc.get("Main"):
                main = table
    return main


def best_route(table: Obj, dest: str, prefix_list_name: str = "") -> Obj | None:
    """The most specific active route for ``dest``; prefix-list routes match the named list only."""
    best, best_len = None, -1
    for route in table.get("Routes") or []:
        pl = route.get("DestinationPrefixListId")
        if pl:
            length = 33 if prefix_list_name and pl == prefix_list_name else -1
        elif _covers(route.get("DestinationCidrBlock"), dest):
            length = _net(route["DestinationCidrBlock"]).prefixlen
        else:
            length = -1
        if length > best_len:
            best, best_len = route, length
    return best


def _verdict(route: Obj) -> tuple[str, str]:
    for key, prefix, verdict, _ in ROUTE_TARGETS:
        value = str(route.get(key) or "")
        if value and value.startswith(prefix):
            return verdict, value
    return "never", ""


def _nat_leads_out(snap: Snapshot, nat_id: str) -> bool:
    nat = next((n for n in snap.nats if n.get("NatGatewayId") == nat_id), None)
    if nat is None or nat.get("State") != "available" or nat.get("ConnectivityType", "public") != "public":
        return False
    route = best_route(table_for(snap, nat.get("SubnetId", "")), INTERNET_ADDRESS)
    return bool(route) and _verdict(route)[0] == "igw" and _igw_attached(snap, route["GatewayId"])


def _igw_attached(snap: Snapshot, igw_id: str) -> bool:
    vpc_id = snap.vpc.get("VpcId")
    return any(
        g.get("InternetGatewayId") == igw_id
        and any(
            a.get("VpcId") == vpc_id and a.get("State") in ("available", "attached") for a in g.get("Attachments") or []
        )
        for g in snap.igws
    )


def internet(snap: Snapshot, far_side: Mapping[str, bool]) -> str:
    """ "" when the node's subnet routes IPv4 to the internet, else why not."""
    route = best_route(table_for(snap, snap.instance.get("SubnetId", "")), INTERNET_ADDRESS)
    if route is None or route.get("State") == "blackhole":
        return "no route to the internet"
    verdict, target = _verdict(route)
    if verdict == "igw":
        ok = bool(snap.instance.get("PublicIpAddress")) and _igw_attached(snap, target)
        return "" if ok else f"{target} needs a public IP on the node"
    if verdict == "nat":
        return "" if _nat_leads_out(snap, target) else f"{target} does not lead to the internet"
    if verdict == "declared":
        return "" if far_side.get(target) else f"the far side of {target} does not reach the internet"
    return f"{target or 'the route'} does not lead to the internet"


def _sg_allows(
    groups: list[Obj], key: str, port: int, cidr: str = "", group_ids: set[str] = frozenset(), prefix_list: str = ""
) -> bool:
    """Security groups allow what any of their rules allow (https://docs.aws.amazon.com/vpc/latest/
    userguide/security-group-rules.html): protocol tcp or all, the port in range, the peer matching."""
    for group in groups:
        for perm in group.get(key) or []:
            proto = str(perm.get("IpProtocol"))
            if proto not in ("tcp", "6", "-1"):
                continue
            if proto != "-1" and not (perm.get("FromPort", 0) <= port <= perm.get("ToPort", 65535)):
                continue
            if cidr and any(_covers(r.get("CidrIp"), cidr) for r in perm.get("IpRanges") or []):
                return True
            if any(p.get("GroupId") in group_ids for p in perm.get("UserIdGroupPairs") or []):
                return True
            if prefix_list and any(p.get("PrefixListId") == prefix_list for p in perm.get("PrefixListIds") or []):
                return True
    return False


def _acl_allows(snap: Snapshot, subnet_id: str, *, egress: bool, port: int, cidr: str) -> bool:
    """The lowest-numbered matching NACL entry decides (https://docs.aws.amazon.com/vpc/latest/
    userguide/nacl-rules.html); the subnet's ACL, else the VPC's default one."""
    acl = next(
        (a for a in snap.acls if any(x.get("SubnetId") == subnet_id for x in a.get("Associations") or [])),
        next((a for a in snap.acls if a.get("IsDefault")), None),
    )
    if acl is None:
        return True
    for entry in sorted(
        (e for e in acl.get("Entries") or [] if bool(e.get("Egress")) == egress),
        key=lambda e: int(e.get("RuleNumber", 32767)),
    ):
        proto = str(entry.get("Protocol"))
        ports = entry.get("PortRange") or {}
        if proto not in ("6", "-1", "tcp") or not _covers(entry.get("CidrBlock"), cidr):
            continue
        if proto != "-1" and ports and not (ports.get("From", 0) <= port <= ports.get("To", 65535)):
            continue
        return entry.get("RuleAction") == "allow"
    return False


def _node_groups(snap: Snapshot) -> list[Obj]:
    ids = {g.get("GroupId") for g in snap.instance.get("SecurityGroups") or []}
    return [g for g in snap.groups if g.get("GroupId") in ids]


def _flow(snap: Snapshot, cidr: str, group_ids: set[str] = frozenset(), prefix_list: str = "") -> str:
    node_groups = _node_groups(snap)
    if not _sg_allows(node_groups, "IpPermissionsEgress", 443, cidr, group_ids, prefix_list):
        return "the node's security groups do not allow egress 443"
    subnet = snap.instance.get("SubnetId", "")
    if not _acl_allows(snap, subnet, egress=True, port=443, cidr=cidr) or not all(
        _acl_allows(snap, subnet, egress=False, port=p, cidr=cidr) for p in EPHEMERAL
    ):
        return "the subnet's network ACL blocks 443 or its replies"
    return ""


def private_dns_works(snap: Snapshot, endpoint: Obj) -> bool:
    """Private DNS needs both VPC DNS attributes (EC2 API Reference, ``CreateVpcEndpoint``
    ``PrivateDnsEnabled``: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html)."""
    return bool(endpoint.get("PrivateDnsEnabled")) and snap.dns_support and snap.dns_hostnames


def via_interface_endpoint(snap: Snapshot, service: str) -> tuple[bool, str]:
    """(the name resolves to an interface endpoint, "" or why it cannot be used)."""
    for ep in snap.endpoints:
        if ep.get("ServiceName") != service or ep.get("VpcEndpointType") != "Interface":
            continue
        if not private_dns_works(snap, ep):
            continue
        if str(ep.get("State", "")).lower() != "available":
            return True, f"endpoint {ep.get('VpcEndpointId')} is {ep.get('State')}"
        ep_groups = [g for g in snap.groups if g.get("GroupId") in {x.get("GroupId") for x in ep.get("Groups") or []}]
        node_ip = f"{snap.instance.get('PrivateIpAddress', '')}/32"
        node_sg = {g.get("GroupId") for g in snap.instance.get("SecurityGroups") or []}
        if not _sg_allows(ep_groups, "IpPermissions", 443, node_ip, node_sg):
            return True, f"endpoint {ep.get('VpcEndpointId')} security groups do not admit 443 from the node"
        cidr = next(
            (s.get("CidrBlock") for s in snap.subnets if s.get("SubnetId") in (ep.get("SubnetIds") or [])),
            snap.vpc.get("CidrBlock", ""),
        )
        return True, _flow(snap, cidr, {g.get("GroupId") for g in ep_groups})
    return False, ""


def can_reach(snap: Snapshot, service: str, far_side: Mapping[str, bool]) -> str:
    """ "" when TCP 443 to ``service`` (``com.amazonaws.REGION.NAME`` or ``internet``) opens, else why not."""
    if service.endswith(".s3"):
        table = table_for(snap, snap.instance.get("SubnetId", ""))
        pl = next((i for i, name in snap.prefix_lists.items() if name == service), "")
        route = best_route(table, INTERNET_ADDRESS, pl) if pl else None
        if route and route.get("DestinationPrefixListId") == pl and str(route.get("GatewayId", "")).startswith("vpce-"):
            return _flow(snap, "0.0.0.0/0", prefix_list=pl)
    elif service != "internet":
        resolved, why = via_interface_endpoint(snap, service)
        if resolved:
            return why
    return internet(snap, far_side) or _flow(snap, INTERNET_ADDRESS)
