"""Image-pull world with centralised egress: the private subnet's default route goes to a transit
gateway, behind which (this world declares) an egress VPC's NAT gateway reaches the internet, as
in AWS's centralised-egress design (AMS Advanced User Guide, "Egress VPC":
https://docs.aws.amazon.com/managedservices/latest/userguide/networking-vpc.html). The real blocker is on
this side: the node security group only allows 443 to 10.0.0.0/8. The world's tables
(``sandbox.worlds.reachability``) decide whether recreated pods pull.
"""

from __future__ import annotations

from typing import Any

from sandbox.kube_api import KubeStandIn
from sandbox.worlds.image_pull import seed_private_subnet_world


def seed_tgw_egress_world(aws: Any, kube: KubeStandIn) -> dict[str, Any]:
    far_side: dict[str, bool] = {}
    facts = seed_private_subnet_world(aws, kube, far_side=far_side)
    ec2 = aws.client("ec2")
    tgw = ec2.create_transit_gateway(Description="central egress")["TransitGateway"]["TransitGatewayId"]
    ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw, VpcId=facts["vpc_id"], SubnetIds=[facts["private_subnet"]]
    )
    ec2.create_route(RouteTableId=facts["private_route_table"], DestinationCidrBlock="0.0.0.0/0", TransitGatewayId=tgw)
    far_side[tgw] = True  # the egress VPC behind the transit gateway reaches the internet
    sg = facts["node_sg"]
    everything = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    ec2.revoke_security_group_egress(GroupId=sg, IpPermissions=everything)
    ec2.authorize_security_group_egress(
        GroupId=sg,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}],
    )
    return {**facts, "tgw": tgw}
