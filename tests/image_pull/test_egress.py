"""Egress the bot cannot see through, the pull-through-cache limit, and VPC DNS attributes
(pure, on the seed world's EC2 state in tests/fixtures/image_pull/private_subnet_vpc.json)."""

from __future__ import annotations

import pytest

from handlers.image_pull.analyse import finding_for, group_failures
from handlers.image_pull.model import Evidence
from handlers.image_pull.network import analyse_path
from handlers.image_pull.plan import plan_fixes
from tests.image_pull.fixtures import failing, route_table, seed_state, vpc_from
from tests.image_pull.test_analyse_plan import ECR_IMAGE, TIMEOUT
from tests.image_pull.test_network import _all_endpoints

ACCOUNT, REGION = "123456789012", "ap-northeast-1"
HUB = "nginx:1.27.2"
HUB_TIMEOUT = (
    f'Failed to pull image "{HUB}": rpc error: code = Unknown desc = failed to pull and unpack image '
    '"docker.io/library/nginx:1.27.2": failed to resolve reference "docker.io/library/nginx:1.27.2": '
    'failed to do request: Head "https://registry-1.docker.io/v2/library/nginx/manifests/1.27.2": '
    "dial tcp 54.236.113.205:443: i/o timeout"
)
UNSEEN = [
    ({"DestinationCidrBlock": "0.0.0.0/0", "TransitGatewayId": "tgw-0a1b2c3d4e5f60718"}, "tgw-0a1b2c3d4e5f60718"),
    ({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "vpce-0f1e2d3c4b5a69788"}, "vpce-0f1e2d3c4b5a69788"),
    ({"DestinationCidrBlock": "0.0.0.0/0", "NetworkInterfaceId": "eni-0123456789abcdef0"}, "eni-0123456789abcdef0"),
    ({"DestinationCidrBlock": "0.0.0.0/0", "InstanceId": "i-0123456789abcdef0"}, "i-0123456789abcdef0"),
    ({"DestinationCidrBlock": "0.0.0.0/0", "VpcPeeringConnectionId": "pcx-0123456789abcdef0"}, "pcx-0123456789abcdef0"),
    (
        {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-0123456789abcdef0"},
        "eigw-0123456789abcdef0",
    ),
    (
        {"DestinationPrefixListId": "pl-0123456789abcdef0", "TransitGatewayId": "tgw-0a1b2c3d4e5f60718"},
        "tgw-0a1b2c3d4e5f60718",
    ),
]


def _evidence(raw, image, message, node):
    return Evidence(
        "apps",
        REGION,
        ACCOUNT,
        (failing("web-1", image, message, node.node),),
        {node.node: node},
        {node.vpc_id: vpc_from(raw)},
    )


@pytest.mark.parametrize("route,target", UNSEEN, ids=[t.split("-")[0] for _, t in UNSEEN])
def test_egress_the_bot_cannot_see_through_is_named_and_never_replaced(route, target):
    facts, node, raw = seed_state()
    route_table(raw, facts["private_route_table"])["Routes"].append({**route, "State": "active"})
    report = analyse_path(node, vpc_from(raw), "docker_hub")
    codes = [b.code for b in report.internet]
    assert "route.no_default" not in codes and codes == ["route.uninspectable"]
    assert report.internet[0].data["target"] == target
    ev = _evidence(raw, HUB, HUB_TIMEOUT, node)
    groups = group_failures(ev)
    assert groups[0].code == "image_pull.network.uninspectable"
    finding = finding_for(groups[0], ev)
    text = " ".join(m.en for m in finding.evidence)
    assert target in text and "cannot inspect" in text and "no default route" not in text
    assert all(s.op != "ec2.default_route" for p in plan_fixes(ev, groups) for s in p.steps)


def test_unseen_egress_with_a_closed_node_security_group_only_opens_the_group():
    facts, node, raw = seed_state()
    route_table(raw, facts["private_route_table"])["Routes"].append(
        {"DestinationCidrBlock": "0.0.0.0/0", "TransitGatewayId": "tgw-0a1b2c3d4e5f60718", "State": "active"}
    )
    for group in raw["security_groups"]:
        if group["GroupId"] == facts["node_sg"]:
            group["IpPermissionsEgress"] = [
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
            ]
    ev = _evidence(raw, HUB, HUB_TIMEOUT, node)
    groups = group_failures(ev)
    assert groups[0].code == "image_pull.network.no_path"
    (plan,) = plan_fixes(ev, groups)
    assert [s.op for s in plan.steps] == ["ec2.sg_rule_443", "k8s.delete_pods"]
    assert "tgw-0a1b2c3d4e5f60718" in plan.title.en


def test_public_registry_without_a_nat_path_gets_no_pull_through_cache_plan():
    _, node, raw = seed_state()
    raw["nat_gateways"] = []  # no NAT path anywhere in the VPC
    secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:ecr-pullthroughcache/docker-hub-AbCdEf"
    ev = Evidence(
        "apps",
        REGION,
        ACCOUNT,
        (failing("web-1", HUB, HUB_TIMEOUT, node.node),),
        {node.node: node},
        {node.vpc_id: vpc_from(raw)},
        ptc_secret_arns=(secret,),
    )
    groups = group_failures(ev)
    assert plan_fixes(ev, groups) == ()
    text = " ".join(m.en for m in finding_for(groups[0], ev).evidence)
    assert "first pull" in text and "NAT" in text and "private ECR repository" in text


def test_endpoints_whose_private_dns_cannot_work_ask_for_the_vpc_dns_attributes_not_more_endpoints():
    facts, node, raw = seed_state()
    _all_endpoints(raw, facts)
    raw["dns_hostnames"] = False
    vpc = vpc_from(raw)
    report = analyse_path(node, vpc, "ecr_private", REGION)
    assert not report.reachable
    assert [b.code for b in report.endpoints] == ["vpc.dns_attributes"]
    ev = _evidence(raw, ECR_IMAGE, TIMEOUT, node)
    plans = plan_fixes(ev, group_failures(ev))
    first = plans[0]
    assert [s.op for s in first.steps] == ["ec2.vpc_dns_attributes", "k8s.delete_pods"]
    assert first.steps[0].before == {"dns_support": True, "dns_hostnames": False}
    assert first.steps[0].after == {"dns_support": True, "dns_hostnames": True}
