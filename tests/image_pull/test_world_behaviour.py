"""The image-pull world against moto: EC2 behaviour moto lacks (pending endpoints, private DNS
needing the VPC DNS attributes) and the fixes that depend on it, verified by the world's tables."""

from __future__ import annotations

import dataclasses

import pytest
from botocore.exceptions import ClientError

from bot.domain import Request
from handlers.image_pull import DIAGNOSER
from sandbox import aws_ec2_behaviour
from sandbox.aws import WorldAws
from sandbox.worlds.image_pull import seed_private_subnet_world
from tests.image_pull.test_integration import apply_plan, revert_plan

REGION = "ap-northeast-1"


def _vpc(ec2, *, hostnames: bool) -> tuple[str, str]:
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": hostnames})
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    return vpc, subnet


def _state(ec2, ep_id: str) -> str:
    return ec2.describe_vpc_endpoints(VpcEndpointIds=[ep_id])["VpcEndpoints"][0]["State"]


def test_private_dns_without_the_vpc_dns_attributes_is_refused_as_aws_does(aws):
    ec2 = WorldAws(REGION).client("ec2")
    vpc, subnet = _vpc(ec2, hostnames=False)
    with pytest.raises(ClientError) as refused:
        ec2.create_vpc_endpoint(
            VpcId=vpc,
            ServiceName=f"com.amazonaws.{REGION}.ecr.api",
            VpcEndpointType="Interface",
            SubnetIds=[subnet],
            PrivateDnsEnabled=True,
        )
    assert refused.value.response["Error"]["Code"] == "InvalidParameter"
    assert "requires both enableDnsSupport and enableDnsHostnames" in refused.value.response["Error"]["Message"]
    ep = ec2.create_vpc_endpoint(
        VpcId=vpc,
        ServiceName=f"com.amazonaws.{REGION}.ecr.api",
        VpcEndpointType="Interface",
        SubnetIds=[subnet],
        PrivateDnsEnabled=False,
    )
    ep_id = ep["VpcEndpoint"]["VpcEndpointId"]
    with pytest.raises(ClientError) as again:
        ec2.modify_vpc_endpoint(VpcEndpointId=ep_id, PrivateDnsEnabled=True)
    assert again.value.response["Error"]["Code"] == "InvalidParameter"
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    ec2.modify_vpc_endpoint(VpcEndpointId=ep_id, PrivateDnsEnabled=True)
    assert ec2.describe_vpc_endpoints(VpcEndpointIds=[ep_id])["VpcEndpoints"][0]["PrivateDnsEnabled"] is True


def test_a_new_interface_endpoint_is_pending_until_the_world_ticks(aws):
    ec2 = WorldAws(REGION).client("ec2")
    vpc, subnet = _vpc(ec2, hostnames=True)
    ep_id = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.ecr.dkr", VpcEndpointType="Interface", SubnetIds=[subnet]
    )["VpcEndpoint"]["VpcEndpointId"]
    assert _state(ec2, ep_id) == "pending"
    for _ in range(aws_ec2_behaviour.PENDING_TICKS - 1):
        aws_ec2_behaviour.tick()
        assert _state(ec2, ep_id) == "pending"
    aws_ec2_behaviour.tick()
    assert _state(ec2, ep_id) == "available"


def test_verification_waits_for_pending_endpoints_before_judging_the_pods(cluster_ctx, kube_stand_in, aws, monkeypatch):
    monkeypatch.setattr(aws_ec2_behaviour, "PENDING_TICKS", 20)
    seed_private_subnet_world(aws, kube_stand_in)
    plan = DIAGNOSER.diagnose(cluster_ctx, Request("image_pull", {"namespace": "amazon-cloudwatch"})).plans[0]
    assert plan.verify["endpoints"]
    with kube_stand_in.controllers_paused():  # the world's clock stands still while the plan is applied
        apply_plan(cluster_ctx, plan)
    # the replacements fail while the endpoints are pending, then the kubelet's retry pulls
    result = DIAGNOSER.verify(dataclasses.replace(cluster_ctx, wait_seconds=30.0), plan)
    assert result.ok, result.message.en


def test_vpc_without_dns_hostnames_gets_the_attribute_change_first_and_the_pods_pull(cluster_ctx, kube_stand_in, aws):
    facts = seed_private_subnet_world(aws, kube_stand_in, dns_hostnames=False)
    diagnosis = DIAGNOSER.diagnose(cluster_ctx, Request("image_pull", {"namespace": "amazon-cloudwatch"}))
    assert "vpc.dns_attributes" in diagnosis.findings[0].data["blockers"]
    plan = diagnosis.plans[0]
    assert plan.steps[0].op == "ec2.vpc_dns_attributes"
    observed = apply_plan(cluster_ctx, plan)  # endpoints with private DNS would be refused otherwise
    result = DIAGNOSER.verify(cluster_ctx, plan)
    assert result.ok, result.message.en
    revert_plan(cluster_ctx, observed)
    ec2 = WorldAws(REGION).client("ec2")
    attr = ec2.describe_vpc_attribute(VpcId=facts["vpc_id"], Attribute="enableDnsHostnames")
    assert attr["EnableDnsHostnames"]["Value"] is False
