"""The image-pull world's own reachability tables (``sandbox.worlds.reachability``) and image
references (``sandbox.worlds.image_refs``), on hand-built EC2 state: what the world decides."""

from __future__ import annotations

import copy

import pytest

from sandbox.worlds.image_pull_network import services_for
from sandbox.worlds.image_refs import parse
from sandbox.worlds.reachability import Snapshot, can_reach

R = "ap-northeast-1"
ALL_OUT = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
OPEN_ACL = [
    {"RuleNumber": 100, "Egress": e, "Protocol": "-1", "CidrBlock": "0.0.0.0/0", "RuleAction": "allow"}
    for e in (True, False)
]


def world(default_route: dict | None, public_ip: str = "") -> Snapshot:
    private_routes = [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"}]
    if default_route:
        private_routes.append({"DestinationCidrBlock": "0.0.0.0/0", "State": "active", **default_route})
    return Snapshot(
        instance={
            "SubnetId": "subnet-priv",
            "PrivateIpAddress": "10.0.1.23",
            "PublicIpAddress": public_ip,
            "SecurityGroups": [{"GroupId": "sg-node"}],
        },
        vpc={"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"},
        subnets=[
            {"SubnetId": "subnet-priv", "CidrBlock": "10.0.1.0/24"},
            {"SubnetId": "subnet-pub", "CidrBlock": "10.0.0.0/24"},
        ],
        route_tables=[
            {"RouteTableId": "rtb-priv", "Associations": [{"SubnetId": "subnet-priv"}], "Routes": private_routes},
            {
                "RouteTableId": "rtb-pub",
                "Associations": [{"SubnetId": "subnet-pub"}],
                "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "active"}],
            },
        ],
        groups=[{"GroupId": "sg-node", "IpPermissions": [], "IpPermissionsEgress": ALL_OUT}],
        acls=[{"IsDefault": True, "Associations": [], "Entries": OPEN_ACL}],
        nats=[{"NatGatewayId": "nat-1", "SubnetId": "subnet-pub", "State": "available"}],
        igws=[{"InternetGatewayId": "igw-1", "Attachments": [{"VpcId": "vpc-1", "State": "available"}]}],
        prefix_lists={"pl-s3": f"com.amazonaws.{R}.s3"},
    )


@pytest.mark.parametrize(
    "route,far_side,public_ip,reaches",
    [
        ({"NatGatewayId": "nat-1"}, {}, "", True),
        ({"GatewayId": "igw-1"}, {}, "", False),
        ({"GatewayId": "igw-1"}, {}, "54.1.2.3", True),
        ({"TransitGatewayId": "tgw-1"}, {"tgw-1": True}, "", True),
        ({"TransitGatewayId": "tgw-1"}, {}, "", False),
        ({"GatewayId": "vpce-gwlb"}, {"vpce-gwlb": True}, "", True),
        ({"NetworkInterfaceId": "eni-nat"}, {"eni-nat": True}, "", True),
        ({"VpcPeeringConnectionId": "pcx-1"}, {"pcx-1": True}, "", False),
        (None, {}, "", False),
    ],
)
def test_route_targets_lead_out_as_the_world_tables_say(route, far_side, public_ip, reaches):
    assert (can_reach(world(route, public_ip), "internet", far_side) == "") is reaches


def test_a_nat_gateway_whose_subnet_has_no_internet_gateway_route_does_not_lead_out():
    snap = world({"NatGatewayId": "nat-1"})
    snap.route_tables[1]["Routes"] = []
    assert can_reach(snap, "internet", {}) != ""


def _endpoints(snap: Snapshot, state: str = "available", *, private_dns: bool = True) -> Snapshot:
    snap = copy.deepcopy(snap)
    snap.groups.append(
        {
            "GroupId": "sg-ep",
            "IpPermissions": [
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": "sg-node"}]}
            ],
        }
    )
    for short in ("ecr.api", "ecr.dkr"):
        snap.endpoints.append(
            {
                "VpcEndpointId": f"vpce-{short}",
                "ServiceName": f"com.amazonaws.{R}.{short}",
                "VpcEndpointType": "Interface",
                "State": state,
                "PrivateDnsEnabled": private_dns,
                "SubnetIds": ["subnet-priv"],
                "Groups": [{"GroupId": "sg-ep"}],
            }
        )
    snap.route_tables[0]["Routes"].append(
        {"DestinationPrefixListId": "pl-s3", "GatewayId": "vpce-s3", "State": "active"}
    )
    return snap


def test_ecr_through_endpoints_needs_private_dns_both_vpc_attributes_available_state_and_s3():
    services = services_for(parse(f"602401143452.dkr.ecr.{R}.amazonaws.com/agent:1"), R)
    assert services == tuple(f"com.amazonaws.{R}.{s}" for s in ("ecr.api", "ecr.dkr", "s3"))
    ok = _endpoints(world(None))
    assert [can_reach(ok, s, {}) for s in services] == ["", "", ""]
    no_hostnames = copy.deepcopy(ok)
    no_hostnames.dns_hostnames = False  # the names resolve to public addresses: no route out
    assert can_reach(no_hostnames, services[0], {}) != ""
    assert can_reach(_endpoints(world(None), state="pending"), services[1], {}).endswith("is pending")
    assert can_reach(_endpoints(world(None), private_dns=False), services[0], {}) != ""
    no_s3 = copy.deepcopy(ok)
    no_s3.route_tables[0]["Routes"].pop()
    assert can_reach(no_s3, services[2], {}) != ""


def test_a_closed_node_security_group_blocks_even_a_working_route():
    snap = world({"TransitGatewayId": "tgw-1"})
    snap.groups[0]["IpPermissionsEgress"] = [
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
    ]
    assert "security groups" in can_reach(snap, "internet", {"tgw-1": True})


def test_image_references_split_as_the_reference_grammar_says():
    assert parse("nginx") == parse("docker.io/library/nginx:latest")
    ref = parse("localhost:5000/team/app:1.2@sha256:abc")
    assert (ref.host, ref.repository, ref.tag, ref.digest) == ("localhost:5000", "team/app", "1.2", "sha256:abc")
    ecr = parse(f"123456789012.dkr.ecr.{R}.amazonaws.com/docker-hub/library/nginx:1.27.2")
    assert ecr.is_private_ecr and ecr.ecr_region == R and ecr.repository == "docker-hub/library/nginx"
    assert services_for(parse("quay.io/prometheus/node-exporter:v1.8.1"), R) == ("internet",)
