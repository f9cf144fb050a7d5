"""Pure path analysis on the seed world's EC2 state (tests/fixtures/image_pull/private_subnet_vpc.json)."""

from __future__ import annotations

from handlers.image_pull import rules
from handlers.image_pull.network import analyse_path, route_table_for, usable_nat
from tests.image_pull.fixtures import route_table, seed_state, vpc_from

ECR_KIND, REGION = "ecr_private", "ap-northeast-1"


def codes(report) -> set[str]:
    return {b.code for b in report.internet + report.endpoints}


def _add_endpoint(raw, facts, short, kind="Interface", *, private_dns=True, groups=None, tables=()):
    raw["endpoints"].append(
        {
            "VpcEndpointId": f"vpce-{short.replace('.', '')}",
            "VpcEndpointType": kind,
            "VpcId": raw["vpc_id"],
            "ServiceName": f"com.amazonaws.{REGION}.{short}",
            "State": "available",
            "SubnetIds": [facts["private_subnet"]] if kind == "Interface" else [],
            "Groups": [{"GroupId": g} for g in (groups if groups is not None else [facts["node_sg"]])]
            if kind == "Interface"
            else [],
            "RouteTableIds": list(tables),
            "PrivateDnsEnabled": private_dns,
        }
    )


def _all_endpoints(raw, facts, **kw):
    _add_endpoint(raw, facts, "ecr.api", **kw)
    _add_endpoint(raw, facts, "ecr.dkr", **kw)
    _add_endpoint(raw, facts, "s3", kind="Gateway", tables=[facts["private_route_table"]])


def test_seed_world_has_no_path_and_names_every_missing_link():
    facts, node, raw = seed_state()
    report = analyse_path(node, vpc_from(raw), ECR_KIND, REGION)
    assert not report.reachable
    assert report.route_table_id == facts["private_route_table"]
    assert codes(report) == {"route.no_default", "endpoint.missing", "s3.missing"}
    assert {b.data["service"] for b in report.endpoints if b.code == "endpoint.missing"} == {
        f"com.amazonaws.{REGION}.ecr.api",
        f"com.amazonaws.{REGION}.ecr.dkr",
    }


def test_explicit_association_wins_over_main_table_and_main_is_the_fallback():
    facts, _, raw = seed_state()
    vpc = vpc_from(raw)
    assert route_table_for(vpc, facts["private_subnet"])["RouteTableId"] == facts["private_route_table"]
    main = route_table_for(vpc, "subnet-not-associated")
    assert any(a.get("Main") for a in main["Associations"])


def test_default_route_via_nat_whose_subnet_reaches_igw_opens_the_internet_path():
    facts, node, raw = seed_state()
    route_table(raw, facts["private_route_table"])["Routes"].append(
        {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": facts["nat"], "State": "active"}
    )
    report = analyse_path(node, vpc_from(raw), "docker_hub")
    assert report.reachable and report.via == "nat" and report.nat_gateway_id == facts["nat"]
    assert usable_nat(vpc_from(raw)) == facts["nat"]


def test_nat_in_a_subnet_without_igw_route_is_a_broken_link():
    facts, node, raw = seed_state()
    route_table(raw, facts["private_route_table"])["Routes"].append(
        {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": facts["nat"], "State": "active"}
    )
    public = route_table(raw, facts["public_route_table"])
    public["Routes"] = [r for r in public["Routes"] if r.get("DestinationCidrBlock") != "0.0.0.0/0"]
    report = analyse_path(node, vpc_from(raw), "docker_hub")
    assert not report.reachable and codes(report) == {"nat.subnet_no_igw"}
    assert usable_nat(vpc_from(raw)) == ""


def test_igw_route_without_public_ip_does_not_reach_the_internet():
    facts, node, raw = seed_state()
    route_table(raw, facts["private_route_table"])["Routes"].append(
        {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": facts["igw"], "State": "active"}
    )
    assert codes(analyse_path(node, vpc_from(raw), "docker_hub")) == {"igw.no_public_ip"}


def test_all_three_endpoints_make_ecr_reachable_privately_but_not_docker_hub():
    facts, node, raw = seed_state()
    _all_endpoints(raw, facts)
    vpc = vpc_from(raw)
    report = analyse_path(node, vpc, ECR_KIND, REGION)
    assert report.reachable and report.via == "endpoints"
    hub = analyse_path(node, vpc, "docker_hub")
    assert not hub.reachable and not hub.endpoints_apply and hub.endpoints == ()
    other_region = analyse_path(node, vpc, ECR_KIND, "us-east-1")
    assert not other_region.reachable and not other_region.endpoints_apply


def test_endpoint_without_private_dns_or_with_closed_sg_and_unattached_s3_are_reported():
    facts, node, raw = seed_state()
    _add_endpoint(raw, facts, "ecr.api", private_dns=False)
    default_sg = next(g["GroupId"] for g in raw["security_groups"] if g["GroupName"] == "default")
    _add_endpoint(raw, facts, "ecr.dkr", groups=[default_sg])
    _add_endpoint(raw, facts, "s3", kind="Gateway", tables=[])
    report = analyse_path(node, vpc_from(raw), ECR_KIND, REGION)
    assert not report.reachable
    assert {"endpoint.no_private_dns", "endpoint.sg_blocks", "s3.not_attached"} <= codes(report)


def test_sts_endpoint_is_required_only_for_irsa_pods():
    facts, node, raw = seed_state()
    _all_endpoints(raw, facts)
    vpc = vpc_from(raw)
    assert analyse_path(node, vpc, ECR_KIND, REGION).reachable
    report = analyse_path(node, vpc, ECR_KIND, REGION, needs_sts=True)
    assert not report.reachable
    assert [b.data["service"] for b in report.endpoints] == [f"com.amazonaws.{REGION}.sts"]


def test_node_security_group_without_443_egress_blocks_both_paths():
    facts, node, raw = seed_state()
    _all_endpoints(raw, facts)
    for group in raw["security_groups"]:
        if group["GroupId"] == facts["node_sg"]:
            group["IpPermissionsEgress"] = [
                {"IpProtocol": "tcp", "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
            ]
    report = analyse_path(node, vpc_from(raw), ECR_KIND, REGION)
    assert not report.reachable and "sg.egress_443" in codes(report)


def test_nacl_first_matching_rule_decides():
    facts, node, raw = seed_state()
    _all_endpoints(raw, facts)
    acl = raw["network_acls"][0]
    acl["Entries"].append(
        {
            "CidrBlock": "0.0.0.0/0",
            "Egress": True,
            "Protocol": "6",
            "RuleAction": "deny",
            "RuleNumber": 50,
            "PortRange": {"From": 443, "To": 443},
        }
    )
    report = analyse_path(node, vpc_from(raw), ECR_KIND, REGION)
    assert not report.reachable and "nacl.egress_443" in codes(report)
    acl["Entries"].append(
        {
            "CidrBlock": "0.0.0.0/0",
            "Egress": True,
            "Protocol": "6",
            "RuleAction": "allow",
            "RuleNumber": 10,
            "PortRange": {"From": 443, "To": 443},
        }
    )
    assert analyse_path(node, vpc_from(raw), ECR_KIND, REGION).reachable


def test_nacl_ephemeral_replies_must_be_open_across_the_range():
    entries = [
        {
            "CidrBlock": "0.0.0.0/0",
            "Egress": True,
            "Protocol": "-1",
            "RuleAction": "allow",
            "RuleNumber": 100,
        },
        {
            "CidrBlock": "0.0.0.0/0",
            "Egress": False,
            "Protocol": "6",
            "RuleAction": "allow",
            "RuleNumber": 100,
            "PortRange": {"From": 32768, "To": 60999},
        },
    ]
    assert rules.nacl_allows_https(entries, "0.0.0.0/0") == (True, False)
    entries[1]["PortRange"] = {"From": 1024, "To": 65535}
    assert rules.nacl_allows_https(entries, "0.0.0.0/0") == (True, True)


def test_security_group_rules_match_cidr_containment_and_group_pairs():
    perms = [
        {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
            "UserIdGroupPairs": [{"GroupId": "sg-node"}],
        }
    ]
    assert rules.sg_permits(perms, 443, "10.0.1.23/32")
    assert not rules.sg_permits(perms, 443, "0.0.0.0/0")
    assert not rules.sg_permits(perms, 80, "10.0.1.23/32")
    assert rules.sg_permits(perms, 443, "192.168.0.1/32", ["sg-node"])
