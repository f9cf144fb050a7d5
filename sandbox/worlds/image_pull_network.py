"""The AWS side of the image-pull worlds: a moto VPC with a node, and the network path decider.

``build_network`` creates, in moto, a VPC with a public subnet (internet gateway, NAT gateway)
and a private one holding the node instance with its role and security group; ``put_node`` adds
the matching Kubernetes Node. ``path_decider`` is the part of the kubelet imitation that decides
from LIVE moto state (freshly described with plain boto3, judged by the world's own tables in
``sandbox.worlds.reachability``) whether a new pod's node can reach its registry. Used by
``sandbox.worlds.image_pull``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from sandbox.aws import WorldAws
from sandbox.kube_api import KubeStandIn
from sandbox.worlds.image_pull_messages import TIMEOUT_MSG, pull_message
from sandbox.worlds.image_refs import Ref, parse
from sandbox.worlds.reachability import Snapshot, can_reach

REGION = "ap-northeast-1"
NODE_IP = "10.0.1.23"
# An EKS-optimized AL2023 AMI id as it would look; moto does not check it, and listing moto's
# AMI catalogue (``describe_images``) costs seconds per world.
NODE_AMI = "ami-0c1e9a4f3b2d5e6a7"
Obj = dict[str, Any]


def build_network(aws: Any, *, nat_route: bool, dns_hostnames: bool = True) -> dict[str, str]:
    """VPC with a public subnet (IGW, NAT) and a private one holding the node instance.

    EKS needs both VPC DNS attributes on (EKS User Guide, "VPC requirements":
    https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html), so the world turns
    ``enableDnsHostnames`` on (moto leaves it off on a new VPC) unless told otherwise.
    """
    ec2, iam = aws.client("ec2"), aws.client("iam")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": dns_hostnames})
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=public)
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    private_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=private_rt, SubnetId=private)
    if nat_route:
        ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    sg = ec2.create_security_group(GroupName="eks-cluster-sg-prod", Description="EKS node", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=sg, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": sg}]}]
    )
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    iam.create_role(RoleName="eks-node-role", AssumeRolePolicyDocument=json.dumps(trust))
    for policy in ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"):
        iam.attach_role_policy(RoleName="eks-node-role", PolicyArn=f"arn:aws:iam::aws:policy/{policy}")
    iam.create_instance_profile(InstanceProfileName="eks-node-profile")
    iam.add_role_to_instance_profile(InstanceProfileName="eks-node-profile", RoleName="eks-node-role")
    inst = ec2.run_instances(
        ImageId=NODE_AMI,
        MinCount=1,
        MaxCount=1,
        InstanceType="m5.large",
        SubnetId=private,
        PrivateIpAddress=NODE_IP,
        SecurityGroupIds=[sg],
        IamInstanceProfile={"Name": "eks-node-profile"},
    )["Instances"][0]
    return {
        "vpc_id": vpc,
        "private_subnet": private,
        "public_subnet": public,
        "igw": igw,
        "nat": nat,
        "private_route_table": private_rt,
        "public_route_table": public_rt,
        "node_sg": sg,
        "instance_id": inst["InstanceId"],
        "node": inst["PrivateDnsName"],
        "node_role": "eks-node-role",
    }


def put_node(kube: KubeStandIn, net: dict[str, str]) -> None:
    kube.put(
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": net["node"], "labels": {"topology.kubernetes.io/zone": f"{REGION}a"}},
            "spec": {"providerID": f"aws:///{REGION}a/{net['instance_id']}"},
            "status": {
                "conditions": [{"type": "Ready", "status": "True"}],
                "addresses": [{"type": "InternalIP", "address": NODE_IP}],
            },
        }
    )


def world_ec2(region: str = REGION) -> Any:
    """A plain boto3 EC2 client on the sandbox's AWS endpoint: the world reads AWS as it is."""
    return WorldAws(region).client("ec2")


def _all(ec2: Any, op: str, key: str, **kw: Any) -> list[Obj]:
    return [x for page in ec2.get_paginator(op).paginate(**kw) for x in page.get(key) or []]


def snapshot(ec2: Any, node_name: str) -> Snapshot | None:
    """The node's instance and its VPC's network objects, described now."""
    found = _all(
        ec2, "describe_instances", "Reservations", Filters=[{"Name": "private-dns-name", "Values": [node_name]}]
    )
    inst = next((i for r in found for i in r.get("Instances") or []), None)
    if inst is None:
        return None
    vpc_id = inst["VpcId"]
    by_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]

    def attr(name: str) -> bool:
        key = name[0].upper() + name[1:]
        return bool(ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=name)[key]["Value"])

    return Snapshot(
        instance=inst,
        vpc=ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0],
        subnets=_all(ec2, "describe_subnets", "Subnets", Filters=by_vpc),
        route_tables=_all(ec2, "describe_route_tables", "RouteTables", Filters=by_vpc),
        endpoints=_all(ec2, "describe_vpc_endpoints", "VpcEndpoints", Filters=by_vpc),
        groups=_all(ec2, "describe_security_groups", "SecurityGroups", Filters=by_vpc),
        acls=_all(ec2, "describe_network_acls", "NetworkAcls", Filters=by_vpc),
        nats=_all(ec2, "describe_nat_gateways", "NatGateways", Filter=by_vpc),
        igws=_all(
            ec2,
            "describe_internet_gateways",
            "InternetGateways",
            Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}],
        ),
        prefix_lists={
            p["PrefixListId"]: p.get("PrefixListName", "")
            for p in ec2.describe_managed_prefix_lists().get("PrefixLists") or []
        },
        dns_support=attr("enableDnsSupport"),
        dns_hostnames=attr("enableDnsHostnames"),
    )


def services_for(ref: Ref, region: str = REGION) -> tuple[str, ...]:
    """What a pull of ``ref`` must reach: ECR's API, its registry and S3 for the layers (in-region
    private ECR, ECR User Guide "vpc-endpoints"), or simply the internet."""
    if ref.is_private_ecr and ref.ecr_region == region:
        return tuple(f"com.amazonaws.{region}.{s}" for s in ("ecr.api", "ecr.dkr", "s3"))
    return ("internet",)


def path_decider(far_side: Mapping[str, bool] | None = None, region: str = REGION) -> Callable[[Obj], str]:
    """The kubelet's network verdict for a new pod, from this world's tables on live EC2 state."""
    ec2 = world_ec2(region)
    declared = far_side if far_side is not None else {}  # the world may declare more later

    def decide(pod: Obj) -> str:
        image = pod["spec"]["containers"][0]["image"]
        try:
            snap = snapshot(ec2, pod["spec"].get("nodeName", ""))
        except (BotoCoreError, ClientError):
            snap = None
        if snap is None:
            return pull_message(TIMEOUT_MSG, image)
        blocked = [why for s in services_for(parse(image), region) if (why := can_reach(snap, s, declared))]
        return pull_message(TIMEOUT_MSG, image) if blocked else ""

    return decide


def internet_verdict(region: str = REGION) -> Callable[[Obj], bool]:
    """Whether a pod's node has a path to the internet now, by the world's tables."""
    ec2 = world_ec2(region)

    def check(pod: Obj) -> bool:
        try:
            snap = snapshot(ec2, pod["spec"].get("nodeName", ""))
        except (BotoCoreError, ClientError):
            return False
        return snap is not None and not can_reach(snap, "internet", {})

    return check
