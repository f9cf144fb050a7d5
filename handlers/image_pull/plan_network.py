"""Network fix plans for pods with no path to their registry, one set of plans per route table.

Pure; called by ``handlers.image_pull.plan``. For ECR in the VPC's region the first plan is
the private path (``ecr.api`` + ``ecr.dkr`` interface endpoints with private DNS, the ``s3``
gateway endpoint on the route table, the 443 rules they need); the second, if the VPC has a
usable NAT gateway, is a default route through it. Public registries only get the NAT plan
here (``plan`` adds the pull-through cache alternative). A network ACL that blocks 443 is
reported, not changed: no plan is offered through a path the bot cannot open.
"""

from __future__ import annotations

from bot.domain import FixPlan, Msg, PlanStep, Risk
from bot.korean import attach
from handlers.image_pull import steps as S
from handlers.image_pull.analyse import PullGroup
from handlers.image_pull.model import Evidence, NodeNet, VpcState
from handlers.image_pull.network import (
    ECR_INTERFACES,
    Blocker,
    default_route,
    endpoint_blockers,
    endpoint_shape,
    find_endpoint,
    internet_blockers,
    route_table_for,
    route_target,
    service_name,
    usable_nat,
)
from handlers.image_pull.rules import INTERNET, groups_permit

KIND = "image_pull"
ROUTE_BLOCKERS = (
    "route.no_default",
    "route.blackhole",
    "nat.not_available",
    "nat.subnet_no_igw",
    "igw.no_public_ip",
)


def _nodes(evidence: Evidence, groups: list[PullGroup]) -> list[NodeNet]:
    seen: dict[tuple, NodeNet] = {}
    for group in groups:
        for pod in group.pods:
            node = evidence.nodes.get(pod.node)
            if node is not None:
                seen.setdefault((node.subnet_id, node.security_group_ids, node.private_ip), node)
    return list(seen.values())


def _endpoint_group(vpc: VpcState, nodes: list[NodeNet]) -> tuple[str, list[PlanStep]]:
    """A security group for new interface endpoints that admits 443 from every node (or a rule to add)."""

    def admits(group: dict) -> bool:
        return all(groups_permit([group], "ingress", 443, f"{n.private_ip}/32", n.security_group_ids) for n in nodes)

    used = [
        g["GroupId"]
        for s in ECR_INTERFACES
        for e in [find_endpoint(vpc, service_name(vpc.region, s))]
        if e
        for g in e.get("Groups") or []
    ]
    candidates = sorted(
        vpc.security_groups,
        key=lambda g: (
            g.get("GroupId") not in used,
            "endpoint" not in g.get("GroupName", "").lower(),
            g.get("GroupId", ""),
        ),
    )
    for group in candidates:
        if admits(group):
            return group["GroupId"], []
    node_sg = nodes[0].security_group_ids[0]
    return node_sg, [S.sg_rule(node_sg, "ingress", source_group_id=node_sg)]


def endpoint_steps(evidence: Evidence, groups: list[PullGroup]) -> list[PlanStep] | None:
    """Steps that open the private path to ECR for these groups' nodes; None if a NACL blocks it."""
    nodes = [n for n in _nodes(evidence, groups) if n.security_group_ids and n.vpc_id in evidence.vpcs]
    if not nodes:
        return None
    vpc = evidence.vpcs[nodes[0].vpc_id]
    needs_sts = any(p.irsa for g in groups for p in g.pods)
    blockers = [b for n in nodes for b in endpoint_blockers(n, vpc, needs_sts=needs_sts)]
    if any(b.code.startswith("nacl.") for b in blockers):
        return None
    subnets_by_az: dict[str, str] = {}
    for node in sorted(nodes, key=lambda n: n.subnet_id):
        subnets_by_az.setdefault(node.az or node.subnet_id, node.subnet_id)
    tables = sorted({(route_table_for(vpc, n.subnet_id) or {}).get("RouteTableId", "") for n in nodes} - {""})
    out: list[PlanStep] = []
    sg_id, sg_steps = "", []
    for b in blockers:
        if b.code == "vpc.dns_attributes":  # first: private DNS of any endpoint needs both attributes
            before = {"dns_support": bool(b.data["dns_support"]), "dns_hostnames": bool(b.data["dns_hostnames"])}
            out.insert(0, S.vpc_dns(vpc.vpc_id, before, {"dns_support": True, "dns_hostnames": True}))
        elif b.code == "endpoint.missing":
            if not sg_id:
                sg_id, sg_steps = _endpoint_group(vpc, nodes)
                out += sg_steps
            after = {
                "exists": True,
                "type": "Interface",
                "private_dns": True,
                "subnet_ids": sorted(subnets_by_az.values()),
                "security_group_ids": [sg_id],
                "route_table_ids": [],
            }
            out.append(S.endpoint(vpc.vpc_id, b.data.get("service", ""), endpoint_shape(None), after))
        else:
            out += _blocker_steps(b, vpc, nodes, tables)
    return _unique(out)


def _blocker_steps(b: Blocker, vpc: VpcState, nodes: list[NodeNet], tables: list[str]) -> list[PlanStep]:
    """The step that clears one blocker of an existing endpoint, the S3 gateway or the nodes' egress."""
    service = b.data.get("service", "")
    if b.code == "endpoint.no_private_dns":
        before = endpoint_shape(find_endpoint(vpc, service))
        return [S.endpoint(vpc.vpc_id, service, before, {**before, "private_dns": True})]
    if b.code == "endpoint.sg_blocks":
        group_id = b.data["group_ids"][0] if b.data.get("group_ids") else ""
        return [S.sg_rule(group_id, "ingress", source_group_id=nodes[0].security_group_ids[0])] if group_id else []
    if b.code == "s3.missing":
        after = {
            "exists": True,
            "type": "Gateway",
            "private_dns": False,
            "subnet_ids": [],
            "security_group_ids": [],
            "route_table_ids": tables,
        }
        return [S.endpoint(vpc.vpc_id, b.data["service"], endpoint_shape(None), after)]
    if b.code == "s3.not_attached":
        before = endpoint_shape(find_endpoint(vpc, service_name(vpc.region, "s3")))
        after = {**before, "route_table_ids": sorted(set(before["route_table_ids"]) | set(tables))}
        return [S.endpoint(vpc.vpc_id, service_name(vpc.region, "s3"), before, after)]
    if b.code == "sg.egress_443":
        return [S.sg_rule(b.data["group_ids"][0], "egress", cidr=INTERNET)]
    return []


def _interface_endpoints(steps: list[PlanStep]) -> list[dict[str, str]]:
    """Interface endpoints the plan creates or changes: verification waits until they are available."""
    return [
        {"vpc_id": s.params["vpc_id"], "service": s.params["service"]}
        for s in steps
        if "service" in s.params and s.after.get("type") == "Interface"
    ]


def _unique(steps: list[PlanStep]) -> list[PlanStep]:
    seen, out = set(), []
    for step in steps:
        key = (step.op, tuple(sorted((k, str(v)) for k, v in step.params.items())))
        if key not in seen:
            seen.add(key)
            out.append(step)
    return out


def nat_steps(evidence: Evidence, groups: list[PullGroup]) -> list[PlanStep] | None:
    """Steps that send the nodes' internet traffic through an existing usable NAT; None if impossible."""
    nodes = [n for n in _nodes(evidence, groups) if n.vpc_id in evidence.vpcs]
    if not nodes:
        return None
    vpc = evidence.vpcs[nodes[0].vpc_id]
    nat = usable_nat(vpc)
    if not nat or any(internet_blockers(n, vpc)[0] and _unseen(n, vpc) for n in nodes):
        return None  # never replace an egress route the bot cannot see through
    out: list[PlanStep] = []
    for node in nodes:
        blockers, _, _ = internet_blockers(node, vpc)
        if any(b.code.startswith("nacl.") for b in blockers):
            return None
        table = route_table_for(vpc, node.subnet_id) or {}
        current = route_target(default_route(table))
        if any(b.code in ROUTE_BLOCKERS for b in blockers) and current != nat:
            out.append(S.default_route(table.get("RouteTableId", ""), current, nat))
        out += [
            S.sg_rule(b.data["group_ids"][0], "egress", cidr=INTERNET)
            for b in blockers
            if b.code == "sg.egress_443" and b.data.get("group_ids")
        ]
    return _unique(out) or None


def _unseen(node: NodeNet, vpc: VpcState) -> str:
    return next((b.data["target"] for b in internet_blockers(node, vpc)[0] if b.code == "route.uninspectable"), "")


def local_steps(evidence: Evidence, groups: list[PullGroup]) -> list[PlanStep] | None:
    """With egress the bot cannot see through: only the node's own 443 egress rule, never a route."""
    nodes = [n for n in _nodes(evidence, groups) if n.vpc_id in evidence.vpcs]
    out: list[PlanStep] = []
    for node in nodes:
        blockers, _, _ = internet_blockers(node, evidence.vpcs[node.vpc_id])
        if any(b.code.startswith("nacl.") for b in blockers):
            return None
        out += [
            S.sg_rule(b.data["group_ids"][0], "egress", cidr=INTERNET)
            for b in blockers
            if b.code == "sg.egress_443" and b.data.get("group_ids")
        ]
    return _unique(out) or None


def plan_network(evidence: Evidence, groups: list[PullGroup]) -> list[FixPlan]:
    buckets: dict[tuple[str, str], list[PullGroup]] = {}
    for group in groups:
        buckets.setdefault((group.vpc_id, group.path.route_table_id if group.path else ""), []).append(group)
    plans = []
    for (_, rt), bucket in sorted(buckets.items()):
        pods = tuple(p for g in bucket for p in g.pods)
        subnets = ", ".join(sorted({g.subnet_id for g in bucket}))
        recreate = S.delete_pods(pods)
        n = len(recreate.params["pods"])
        tail = [recreate] if n else []
        verify = S.verify_replacements(pods)
        unseen = next((g.path.uninspectable for g in bucket if g.path and g.path.uninspectable), "")
        if unseen:
            steps = local_steps(evidence, bucket)
            if steps:
                title = Msg(
                    f"Allow TCP 443 egress from the nodes of subnet {subnets}; egress stays on {unseen} "
                    f"(not changed); then recreate {n} pod(s)",
                    f"서브넷 {subnets} 노드의 TCP 443 아웃바운드 허용, 송신 경로 {attach(unseen, '는')} 그대로 둠. "
                    f"이후 파드 {n}개 재생성",
                )
                plans.append(FixPlan(KIND, title, tuple(steps + tail), Risk.MEDIUM, rt, verify))
            continue
        if all(g.path and g.path.endpoints_apply for g in bucket):
            steps = endpoint_steps(evidence, bucket)
            if steps:
                services = sorted({s.params["service"].split(".", 3)[-1] for s in steps if "service" in s.params}) or [
                    "VPC DNS attributes"
                ]
                verify = {**verify, "endpoints": _interface_endpoints(steps)}
                title = Msg(
                    f"Private path to ECR for subnet {subnets}: VPC endpoints ({', '.join(services)}), "
                    f"no internet exposure; then recreate {n} pod(s)",
                    f"서브넷 {subnets}에 ECR 프라이빗 경로: VPC 엔드포인트 ({', '.join(services)}), "
                    f"인터넷 노출 없음. 이후 파드 {n}개 재생성",
                )
                plans.append(FixPlan(KIND, title, tuple(steps + tail), Risk.MEDIUM, rt, verify))
        steps = nat_steps(evidence, bucket)
        if steps:
            nat = next((s.after["target"] for s in steps if "target" in s.after), "the existing NAT gateway")
            title = Msg(
                f"Route subnet {subnets} to the internet through existing NAT gateway {nat}; then recreate {n} pod(s)",
                f"서브넷 {subnets}의 인터넷 경로를 기존 NAT 게이트웨이 {attach(nat, '로')} 연결. "
                f"이후 파드 {n}개 재생성",
            )
            plans.append(FixPlan(KIND, title, tuple(steps + tail), Risk.MEDIUM, rt, verify))
    return plans
