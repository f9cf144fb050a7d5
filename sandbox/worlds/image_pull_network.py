"""The AWS side of the image-pull worlds: a moto VPC with a node, and the network path decider.

``build_network`` creates, in moto, a VPC with a public subnet (internet gateway, NAT gateway)
and a private one holding the node instance with its role and security group; ``put_node`` adds
the matching Kubernetes Node. ``path_decider`` is the part of the kubelet imitation that decides
from LIVE moto state (freshly described, checked with ``handlers.image_pull.network``) whether a
new pod's node can reach its registry. Used by ``sandbox.worlds.image_pull``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.cloud.aws import Aws
from handlers.image_pull.collect_aws import describe_nodes, describe_vpcs
from handlers.image_pull.images import split_image
from handlers.image_pull.network import analyse_path
from sandbox.kube_api import KubeStandIn
from sandbox.worlds.image_pull_messages import TIMEOUT_MSG, pull_message

REGION = "ap-northeast-1"
NODE_IP = "10.0.1.23"
# An EKS-optimized AL2023 AMI id as it would look; moto does not check it, and listing moto's
# AMI catalogue (``describe_images``) costs seconds per world.
NODE_AMI = "ami-0c1e9a4f3b2d5e6a7"
Obj = dict[str, Any]


def build_network(aws: Aws, nat_route: bool) -> dict[str, str]:
    """VPC with a public subnet (IGW, NAT) and a private one holding the node instance."""
    ec2, iam = aws.client("ec2"), aws.client("iam")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"][
        "SubnetId"
    ]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24", AvailabilityZone=f"{REGION}a")["Subnet"][
        "SubnetId"
    ]
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
    sg = ec2.create_security_group(GroupName="eks-cluster-sg-prod", Description="EKS node", VpcId=vpc)[
        "GroupId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=sg, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": sg}]}]
    )
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
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


def path_decider(aws: Aws) -> Callable[[Obj], str]:
    def decide(pod: Obj) -> str:
        image = pod["spec"]["containers"][0]["image"]
        ref = split_image(image)
        nodes = describe_nodes(aws, [pod["spec"].get("nodeName", "")])
        node = next(iter(nodes.values()), None)
        if node is None:
            return pull_message(TIMEOUT_MSG, image)
        vpc = describe_vpcs(aws, [node.vpc_id])[node.vpc_id]
        region = ref.host.split(".")[3] if ref.kind == "ecr_private" else ""
        return "" if analyse_path(node, vpc, ref.kind, region).reachable else pull_message(TIMEOUT_MSG, image)

    return decide
