"""AWS side of the image-pull evidence: nodes' instances, VPC network objects, roles, ECR, secrets.

Called by ``handlers.image_pull.collect`` and by the sandbox world's kubelet imitation
(``describe_nodes`` / ``describe_vpcs`` on live state). Batched: ``DescribeInstances`` filtered
by ``private-dns-name`` 200 names per call (instance ids from ``spec.providerID`` as the
fallback); subnets, route tables, endpoints, NACLs, security groups, NAT and internet gateways
described once for all the VPCs together (plus the two DNS attributes per VPC); IAM and ECR once
per role / repository.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot import errors
from bot.cloud.aws import Aws
from bot.cloud.policy_doc import statements_of
from handlers.image_pull.images import PTC_SECRET_PREFIX
from handlers.image_pull.model import NodeNet, RepoTags, RoleFacts, VpcState
from handlers.image_pull.operations_registry import unsupported_action

BATCH = 200  # values per EC2 filter
Obj = dict[str, Any]


def _pages(client: Any, op: str, key: str, **kwargs: Any) -> list[Obj]:
    out: list[Obj] = []
    for page in client.get_paginator(op).paginate(**kwargs):
        out += page.get(key) or []
    return out


def _node_net(inst: Obj, node: str) -> NodeNet:
    groups = tuple(sorted(g.get("GroupId", "") for g in inst.get("SecurityGroups") or []))
    return NodeNet(
        node,
        inst.get("InstanceId", ""),
        inst.get("VpcId", ""),
        inst.get("SubnetId", ""),
        inst.get("PrivateIpAddress", ""),
        (inst.get("Placement") or {}).get("AvailabilityZone", ""),
        inst.get("PublicIpAddress", "") or "",
        groups,
        (inst.get("IamInstanceProfile") or {}).get("Arn", ""),
    )


def describe_nodes(
    aws: Aws, names: Iterable[str], region: str | None = None, provider_ids: dict[str, str] | None = None
) -> dict[str, NodeNet]:
    """EC2 facts per node name, looked up by ``private-dns-name`` 200 names per call.

    Nodes whose name is not their private DNS name (custom hostnames) are then looked up by
    the instance id in their ``spec.providerID`` (``provider_ids``: node name -> instance id).
    """
    ec2 = aws.client("ec2", region)
    wanted = sorted(set(n for n in names if n))
    out: dict[str, NodeNet] = {}
    for i in range(0, len(wanted), BATCH):
        batch = wanted[i : i + BATCH]
        for res in _pages(
            ec2, "describe_instances", "Reservations", Filters=[{"Name": "private-dns-name", "Values": batch}]
        ):
            for inst in res.get("Instances") or []:
                name = inst.get("PrivateDnsName", "")
                if name in batch:
                    out[name] = _node_net(inst, name)
    by_id = {iid: n for n, iid in (provider_ids or {}).items() if n in wanted and n not in out and iid}
    ids = sorted(by_id)
    for i in range(0, len(ids), BATCH):
        for res in _pages(ec2, "describe_instances", "Reservations", InstanceIds=ids[i : i + BATCH]):
            for inst in res.get("Instances") or []:
                out[by_id[inst["InstanceId"]]] = _node_net(inst, by_id[inst["InstanceId"]])
    return out


def provider_instance_ids(nodes: Iterable[Obj]) -> dict[str, str]:
    """Node name -> EC2 instance id from ``spec.providerID`` (``aws:///ap-northeast-1a/i-0abc``)."""
    out = {}
    for node in nodes:
        pid = (node.get("spec") or {}).get("providerID") or ""
        if pid.startswith("aws://") and "/i-" in pid:
            out[node["metadata"]["name"]] = pid.rsplit("/", 1)[-1]
    return out


def describe_vpcs(aws: Aws, vpc_ids: Iterable[str], region: str | None = None) -> dict[str, VpcState]:
    """Every VPC's network objects, each kind described once for all the VPCs together."""
    ids = sorted(set(v for v in vpc_ids if v))
    if not ids:
        return {}
    ec2 = aws.client("ec2", region)
    by_vpc = [{"Name": "vpc-id", "Values": ids}]
    vpcs = _pages(ec2, "describe_vpcs", "Vpcs", VpcIds=ids)
    parts = {
        "subnets": _pages(ec2, "describe_subnets", "Subnets", Filters=by_vpc),
        "route_tables": _pages(ec2, "describe_route_tables", "RouteTables", Filters=by_vpc),
        "endpoints": _pages(ec2, "describe_vpc_endpoints", "VpcEndpoints", Filters=by_vpc),
        "network_acls": _pages(ec2, "describe_network_acls", "NetworkAcls", Filters=by_vpc),
        "security_groups": _pages(ec2, "describe_security_groups", "SecurityGroups", Filters=by_vpc),
        "nat_gateways": _pages(ec2, "describe_nat_gateways", "NatGateways", Filter=by_vpc),
    }
    igws = _pages(
        ec2,
        "describe_internet_gateways",
        "InternetGateways",
        Filters=[{"Name": "attachment.vpc-id", "Values": ids}],
    )
    reg = region or aws.region
    out = {}
    for vpc in vpcs:
        vid = vpc["VpcId"]
        cidrs = tuple(a["CidrBlock"] for a in vpc.get("CidrBlockAssociationSet") or [] if a.get("CidrBlock")) or (
            vpc.get("CidrBlock"),
        )
        mine = {k: tuple(o for o in v if o.get("VpcId") == vid) for k, v in parts.items()}
        attached = tuple(g for g in igws if any(a.get("VpcId") == vid for a in g.get("Attachments") or []))
        # private DNS of interface endpoints needs both attributes (CreateVpcEndpoint, PrivateDnsEnabled)
        support = ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsSupport")["EnableDnsSupport"]
        hostnames = ec2.describe_vpc_attribute(VpcId=vid, Attribute="enableDnsHostnames")["EnableDnsHostnames"]
        out[vid] = VpcState(
            vid,
            reg,
            cidrs,
            internet_gateways=attached,
            dns_support=bool(support.get("Value")),
            dns_hostnames=bool(hostnames.get("Value")),
            **mine,
        )
    return out


# ---- IAM / ECR / Secrets Manager ------------------------------------------------------------------


def describe_roles(aws: Aws, profile_arns: Iterable[str]) -> dict[str, RoleFacts]:
    iam = aws.client("iam")
    out = {}
    for arn in sorted(set(a for a in profile_arns if a)):
        profile = iam.get_instance_profile(InstanceProfileName=arn.rsplit("/", 1)[-1])["InstanceProfile"]
        roles = profile.get("Roles") or []
        if not roles:
            out[arn] = RoleFacts(arn, "")
            continue
        role = roles[0]["RoleName"]
        attached = _pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=role)
        actions: list[str] = []
        for name in _pages(iam, "list_role_policies", "PolicyNames", RoleName=role):
            doc = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
            for st in statements_of(doc):
                acts = st.get("Action") or []
                if st.get("Effect") == "Allow":
                    actions += [
                        a for a in ([acts] if isinstance(acts, str) else acts) if a.lower().startswith(("ecr", "*"))
                    ]
        out[arn] = RoleFacts(arn, role, tuple(sorted(p["PolicyArn"] for p in attached)), tuple(sorted(actions)))
    return out


def describe_repos(aws: Aws, repositories: Iterable[str]) -> dict[str, RepoTags]:
    """Tags of each repository in this account (``ecr:DescribeImages``), or the repositories there are."""
    ecr = aws.client("ecr")
    out: dict[str, RepoTags] = {}
    names: tuple[str, ...] | None = None
    for repo in sorted(set(repositories)):
        try:
            details = _pages(ecr, "describe_images", "imageDetails", repositoryName=repo)
        except errors.NotFound:
            if names is None:
                names = tuple(sorted(r["repositoryName"] for r in _pages(ecr, "describe_repositories", "repositories")))
            out[repo] = RepoTags(repo, exists=False, tags=(), other_repositories=names)
            continue
        tags = tuple(sorted({t for d in details for t in d.get("imageTags") or []}))
        out[repo] = RepoTags(repo, exists=True, tags=tags)
    return out


def ptc_rules(aws: Aws) -> dict[str, str]:
    """Existing pull-through cache rules (prefix -> upstream). On an endpoint without this API an
    unimplemented answer (HTTP 500) reads as "no rules"; the create call then says so clearly."""
    try:
        rules = _pages(aws.client("ecr"), "describe_pull_through_cache_rules", "pullThroughCacheRules")
    except errors.Unreachable as exc:
        if unsupported_action(exc):
            return {}
        raise
    return {r["ecrRepositoryPrefix"]: r.get("upstreamRegistryUrl", "") for r in rules}


def ptc_secrets(aws: Aws) -> tuple[str, ...]:
    sm = aws.client("secretsmanager")
    found = _pages(sm, "list_secrets", "SecretList", Filters=[{"Key": "name", "Values": [PTC_SECRET_PREFIX]}])
    return tuple(sorted(s["ARN"] for s in found if s.get("Name", "").startswith(PTC_SECRET_PREFIX)))
