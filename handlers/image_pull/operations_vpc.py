"""Plan operations for image-pull fixes: read the live state, write the desired one, undo.

Looked up by ``PlanStep.op`` through ``handlers.registry`` and driven by ``bot.services.apply``:
``read`` must return exactly the shape the plan put in ``before``/``after`` (ids of things not
yet created are left out, lists are sorted). VPC endpoints, the default route, 443 rules and the
VPC's DNS attributes live here; registry access in ``operations_registry`` and the cluster's
workloads in ``operations_workloads``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import errors
from bot.cloud.context import ClusterContext
from bot.domain import Msg, PlanStep, Risk
from bot.korean import attach
from handlers.base import inverse_step
from handlers.image_pull.network import endpoint_shape, route_target
from handlers.image_pull.rules import has_443_rule

ENDPOINT = "ec2.vpc_endpoint"
ROUTE = "ec2.default_route"
SG_RULE = "ec2.sg_rule_443"
VPC_DNS = "ec2.vpc_dns_attributes"


def _endpoint(ctx: ClusterContext, vpc_id: str, service: str) -> dict[str, Any] | None:
    found = ctx.aws.client("ec2").describe_vpc_endpoints(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "service-name", "Values": [service]}]
    )
    live = [
        e
        for e in found.get("VpcEndpoints") or []
        if str(e.get("State", "")).lower() not in ("deleted", "deleting", "failed", "rejected")
    ]
    return live[0] if live else None


class VpcEndpoint:
    """Create, reshape or delete the endpoint of ``service`` in ``vpc_id`` (params) to match ``after``."""

    name = ENDPOINT
    min_risk = Risk.MEDIUM
    reversible = True

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        return endpoint_shape(_endpoint(ctx, params["vpc_id"], params["service"]))

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        ec2 = ctx.aws.client("ec2")
        vpc_id, service, want = step.params["vpc_id"], step.params["service"], step.after
        live = _endpoint(ctx, vpc_id, service)
        if not want.get("exists"):
            if live is not None:
                ec2.delete_vpc_endpoints(VpcEndpointIds=[live["VpcEndpointId"]])
        elif live is None:
            kwargs: dict[str, Any] = {
                "VpcId": vpc_id,
                "ServiceName": service,
                "VpcEndpointType": want["type"],
                "TagSpecifications": [
                    {"ResourceType": "vpc-endpoint", "Tags": [{"Key": "managed-by", "Value": "eks-chatops"}]}
                ],
            }
            if want["type"] == "Interface":
                kwargs.update(
                    SubnetIds=want["subnet_ids"],
                    SecurityGroupIds=want["security_group_ids"],
                    PrivateDnsEnabled=want["private_dns"],
                )
            else:
                kwargs.update(RouteTableIds=want["route_table_ids"])
            ec2.create_vpc_endpoint(**kwargs)
        else:
            have = endpoint_shape(live)
            change: dict[str, Any] = {}
            for key, add, remove in (
                ("route_table_ids", "AddRouteTableIds", "RemoveRouteTableIds"),
                ("subnet_ids", "AddSubnetIds", "RemoveSubnetIds"),
                ("security_group_ids", "AddSecurityGroupIds", "RemoveSecurityGroupIds"),
            ):
                plus = sorted(set(want[key]) - set(have[key]))
                minus = sorted(set(have[key]) - set(want[key]))
                if plus:
                    change[add] = plus
                if minus:
                    change[remove] = minus
            if want["type"] == "Interface" and want["private_dns"] != have["private_dns"]:
                change["PrivateDnsEnabled"] = want["private_dns"]
            if change:
                ec2.modify_vpc_endpoint(VpcEndpointId=live["VpcEndpointId"], **change)
        return self.read(ctx, step.params)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        service = step.params["service"]
        text = (
            Msg(
                f"Delete the VPC endpoint {service} created by the fix",
                f"수정으로 만든 VPC 엔드포인트 {service} 삭제",
            )
            if not step.before.get("exists")
            else Msg(
                f"Restore VPC endpoint {service} to its previous settings",
                f"VPC 엔드포인트 {service} 설정 원복",
            )
        )
        return inverse_step(step, text, observed_after)


class DefaultRoute:
    """The 0.0.0.0/0 route of a route table: ``{"target": "nat-..."}``; ``""`` means no route."""

    name = ROUTE
    min_risk = Risk.MEDIUM
    reversible = True

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        tables = ctx.aws.client("ec2").describe_route_tables(RouteTableIds=[params["route_table_id"]])["RouteTables"]
        route = next((r for r in tables[0].get("Routes") or [] if r.get("DestinationCidrBlock") == "0.0.0.0/0"), None)
        return {"target": route_target(route)}

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        ec2 = ctx.aws.client("ec2")
        rt, want = step.params["route_table_id"], step.after["target"]
        have = self.read(ctx, step.params)["target"]
        base = {"RouteTableId": rt, "DestinationCidrBlock": "0.0.0.0/0"}
        if not want:
            if have:
                ec2.delete_route(**base)
        else:
            key = "NatGatewayId" if want.startswith("nat-") else "GatewayId"
            if not want.startswith(("nat-", "igw-")):
                raise errors.InvalidRequest(
                    "ec2:CreateRoute",
                    "UnsupportedTarget",
                    f"the bot only routes through NAT or internet gateways, not {want}",
                )
            (ec2.replace_route if have else ec2.create_route)(**base, **{key: want})
        return self.read(ctx, step.params)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        rt = step.params["route_table_id"]
        before = step.before.get("target") or ""
        text = (
            Msg(f"Remove the default route from {rt}", f"{rt}의 기본 경로 삭제")
            if not before
            else Msg(
                f"Point the default route of {rt} back to {before}", f"{rt}의 기본 경로를 {attach(before, '로')} 원복"
            )
        )
        return inverse_step(step, text, observed_after)


def _permission(params: Mapping[str, Any]) -> dict[str, Any]:
    perm: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}
    if params.get("source_group_id"):
        perm["UserIdGroupPairs"] = [
            {"GroupId": params["source_group_id"], "Description": "HTTPS for image pulls (eks-chatops)"}
        ]
    else:
        perm["IpRanges"] = [{"CidrIp": params["cidr"], "Description": "HTTPS for image pulls (eks-chatops)"}]
    return perm


class SecurityGroupRule443:
    """One TCP 443 rule: ``direction`` ingress|egress, ``cidr`` or ``source_group_id``.

    Reads as ``{"present": bool}``.
    """

    name = SG_RULE
    min_risk = Risk.MEDIUM
    reversible = True

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        group = ctx.aws.client("ec2").describe_security_groups(GroupIds=[params["group_id"]])["SecurityGroups"][0]
        return {
            "present": has_443_rule(
                group, params["direction"], params.get("cidr", ""), params.get("source_group_id", "")
            )
        }

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        ec2 = ctx.aws.client("ec2")
        have = self.read(ctx, step.params)["present"]
        want = step.after["present"]
        if want != have:
            egress = step.params["direction"] == "egress"
            verb = ("authorize" if want else "revoke") + (
                "_security_group_egress" if egress else "_security_group_ingress"
            )
            getattr(ec2, verb)(GroupId=step.params["group_id"], IpPermissions=[_permission(step.params)])
        return self.read(ctx, step.params)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        p = step.params
        return inverse_step(
            step,
            Msg(
                f"Remove the 443 {p['direction']} rule added to {p['group_id']}",
                f"{p['group_id']}에 추가한 443 {p['direction']} 규칙 삭제",
            ),
            observed_after,
        )


class VpcDnsAttributes:
    """The VPC's ``enableDnsSupport`` / ``enableDnsHostnames``: ``{"dns_support": bool, "dns_hostnames": bool}``.

    ``ModifyVpcAttribute`` changes one attribute per call (EC2 API Reference); support goes on
    before hostnames, and off after them.
    """

    name = VPC_DNS
    min_risk = Risk.MEDIUM
    reversible = True

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        ec2 = ctx.aws.client("ec2")
        vpc = params["vpc_id"]
        return {
            "dns_support": bool(
                ec2.describe_vpc_attribute(VpcId=vpc, Attribute="enableDnsSupport")["EnableDnsSupport"]["Value"]
            ),
            "dns_hostnames": bool(
                ec2.describe_vpc_attribute(VpcId=vpc, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"]
            ),
        }

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        ec2 = ctx.aws.client("ec2")
        have = self.read(ctx, step.params)
        order = [("dns_support", "EnableDnsSupport"), ("dns_hostnames", "EnableDnsHostnames")]
        if not step.after.get("dns_support", True):
            order.reverse()
        for key, arg in order:
            if key in step.after and step.after[key] != have[key]:
                ec2.modify_vpc_attribute(VpcId=step.params["vpc_id"], **{arg: {"Value": step.after[key]}})
        return self.read(ctx, step.params)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        return inverse_step(
            step,
            Msg(
                f"Set the DNS attributes of VPC {step.params['vpc_id']} back to {step.before}",
                f"VPC {step.params['vpc_id']}의 DNS 속성 원복: {step.before}",
            ),
            observed_after,
        )
