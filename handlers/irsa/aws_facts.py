"""The AWS half of IRSA evidence: OIDC issuer and provider, the role and its policies, the
load balancer and its tags, and AWS's own policy simulator.

Called by ``collect`` only, through ``ctx.aws`` (``bot.cloud.aws``), so failures arrive as
``bot.errors``. ``simulate`` asks ``iam:SimulatePrincipalPolicy`` with the resource's real tags
as context entries; when that is not available (no permission, or a stand-in that does not
implement it: moto answers HTTP 500, which botocore reports as ``ResponseParserError``) it
returns ``Simulation(available=False, note=...)`` and the bot's own evaluator decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import errors
from bot.cloud.context import ClusterContext
from bot.cloud.partition import partition_for_region
from handlers.irsa.arn import provider_arn, role_arn
from handlers.irsa.evidence import LoadBalancerFacts, OidcFacts, RoleFacts, Simulation
from handlers.irsa.permissions import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, PolicySource

_SIM_DECISIONS = {"allowed": ALLOWED, "explicitDeny": EXPLICIT_DENY, "implicitDeny": IMPLICIT_DENY}


def partition(ctx: ClusterContext) -> str:
    """The ARN partition of the cluster's region (``aws-cn``, ``aws-us-gov``, ``aws``)."""
    return partition_for_region(ctx.region)


def account_id(ctx: ClusterContext) -> str:
    return ctx.account_id or ctx.aws.client("sts").get_caller_identity()["Account"]


def oidc_facts(ctx: ClusterContext, account: str) -> OidcFacts:
    cluster = ctx.aws.client("eks").describe_cluster(name=ctx.cluster_name)["cluster"]
    issuer = ((cluster.get("identity") or {}).get("oidc") or {}).get("issuer", "")
    if not issuer:
        return OidcFacts("", "", provider_exists=False)
    iam = ctx.aws.client("iam")
    arns = [p["Arn"] for p in iam.list_open_id_connect_providers().get("OpenIDConnectProviderList", [])]
    wanted = provider_arn(account, issuer, partition_for_region(ctx.region))
    if wanted not in arns:
        others = tuple(a for a in arns if "oidc.eks." in a)
        return OidcFacts(issuer, wanted, provider_exists=False, other_providers=others)
    info = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=wanted)
    return OidcFacts(issuer, wanted, provider_exists=True, client_ids=tuple(info.get("ClientIDList", [])))


def _policy_document(iam: Any, arn: str) -> Mapping[str, Any]:
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
    return version["PolicyVersion"]["Document"]


def role_facts(ctx: ClusterContext, account: str, name: str) -> RoleFacts:
    iam = ctx.aws.client("iam")
    try:
        role = iam.get_role(RoleName=name)["Role"]
    except errors.NotFound:
        return RoleFacts(name, role_arn(account, name, partition_for_region(ctx.region)), exists=False)
    policies: list[PolicySource] = []
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=name):
        for attached in page.get("AttachedPolicies", []):
            policies.append(PolicySource(attached["PolicyName"], _policy_document(iam, attached["PolicyArn"])))
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=name):
        for policy_name in page.get("PolicyNames", []):
            doc = iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
            policies.append(PolicySource(f"inline:{policy_name}", doc))
    boundary = None
    boundary_arn = (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    if boundary_arn:
        boundary = PolicySource(boundary_arn.rsplit("/", 1)[-1], _policy_document(iam, boundary_arn), "boundary")
    return RoleFacts(
        name,
        role["Arn"],
        exists=True,
        trust=role.get("AssumeRolePolicyDocument"),
        policies=tuple(policies),
        boundary=boundary,
    )


def load_balancer_facts(ctx: ClusterContext, arn: str = "", hostname: str = "") -> LoadBalancerFacts | None:
    """The load balancer by ARN (from the error) or by DNS name (from the ingress status)."""
    elb = ctx.aws.client("elbv2")
    found = None
    if arn:
        try:
            found = elb.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"][0]
        except errors.NotFound:
            return LoadBalancerFacts(arn, arn.split("/")[-2] if arn.count("/") >= 3 else "", "", exists=False)
    elif hostname:
        for page in elb.get_paginator("describe_load_balancers").paginate():
            found = next((lb for lb in page["LoadBalancers"] if lb["DNSName"].lower() == hostname.lower()), None)
            if found:
                break
    if found is None:
        return None
    tags = elb.describe_tags(ResourceArns=[found["LoadBalancerArn"]])["TagDescriptions"]
    tag_map = {t["Key"]: t["Value"] for t in (tags[0]["Tags"] if tags else [])}
    return LoadBalancerFacts(
        found["LoadBalancerArn"], found["LoadBalancerName"], found["DNSName"], exists=True, tags=tag_map
    )


def simulate(ctx: ClusterContext, role: str, action: str, resource: str, tags: Mapping[str, str]) -> Simulation:
    """AWS's own verdict via ``iam:SimulatePrincipalPolicy``, or why it is not available."""
    entries = [
        {"ContextKeyName": f"aws:ResourceTag/{k}", "ContextKeyValues": [v], "ContextKeyType": "string"}
        for k, v in tags.items()
    ]
    try:
        result = ctx.aws.client("iam").simulate_principal_policy(
            PolicySourceArn=role, ActionNames=[action], ResourceArns=[resource], ContextEntries=entries
        )
    except errors.Unreachable as exc:
        if exc.code == "ResponseParserError":  # an HTTP 500 page instead of an IAM response (moto)
            return Simulation(available=False, note="the IAM endpoint does not implement it")
        return Simulation(available=False, note=f"{exc.code}: {exc.detail[:120]}".strip())
    except errors.CloudError as exc:
        return Simulation(available=False, note=f"{exc.code}: {exc.detail[:120]}".strip())
    evaluations = result.get("EvaluationResults") or []
    if not evaluations:
        return Simulation(available=False, note="no evaluation result")
    first = evaluations[0]
    matched = tuple(m.get("SourcePolicyId", "") for m in first.get("MatchedStatements") or [])
    return Simulation(
        available=True, decision=_SIM_DECISIONS.get(first.get("EvalDecision", ""), IMPLICIT_DENY), matched=matched
    )


def pod_identity_role(ctx: ClusterContext, namespace: str, service_account: str) -> tuple[str, str]:
    """(role ARN of an EKS Pod Identity association, note) for a service account."""
    eks = ctx.aws.client("eks")
    try:
        assocs = eks.list_pod_identity_associations(
            clusterName=ctx.cluster_name, namespace=namespace, serviceAccount=service_account
        ).get("associations", [])
        if not assocs:
            return "", ""
        detail = eks.describe_pod_identity_association(
            clusterName=ctx.cluster_name, associationId=assocs[0]["associationId"]
        )
        return detail["association"].get("roleArn", ""), ""
    except errors.CloudError as exc:
        return "", f"EKS Pod Identity associations could not be listed ({exc.code})"
