"""Group failing pods by (image, cause, subnet) and say what is wrong with each group.

Pure: called by ``handlers.image_pull.diagnoser`` on the ``Evidence`` that ``collect`` gathered
(tests feed it fixture files). One finding per group, with a pod count, never one per pod.
Network causes get the VPC path walked (``network.analyse_path``) for each distinct node
placement in the group; the group keeps the first broken path found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.domain import Finding, Msg, Severity
from bot.parsing.image_pull import PullClassification, classify_pull_error
from handlers.image_pull import explain
from handlers.image_pull.images import closest_tags, split_image
from handlers.image_pull.model import Evidence, FailingPod, NodeNet, RoleFacts
from handlers.image_pull.network import PathReport, analyse_path

NETWORK_CAUSES = ("network_unreachable", "dns")
ECR_READ_POLICIES = (
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess",
)
ECR_PULL_ACTIONS = ("ecr:batchgetimage", "ecr:getdownloadurlforlayer", "ecr:getauthorizationtoken")


@dataclass(frozen=True)
class PullGroup:
    """Failing pods that share an image, a cause and a subnet."""

    image: str
    cause: str
    registry: str
    registry_kind: str
    ecr_account: str
    ecr_region: str
    subnet_id: str
    vpc_id: str
    pods: tuple[FailingPod, ...]
    message: str
    detail: str = ""
    path: PathReport | None = None
    code: str = ""

    @property
    def nodes(self) -> tuple[str, ...]:
        return tuple(sorted({p.node for p in self.pods}))

    def __str__(self) -> str:
        return f"{self.code or self.cause}: {self.image} x{len(self.pods)} in {self.subnet_id or '?'}"


def _node_key(node: NodeNet | None) -> tuple:
    return (node.subnet_id, node.security_group_ids) if node else ()


def group_failures(
    evidence: Evidence, classify: Callable[[str], PullClassification] = classify_pull_error
) -> list[PullGroup]:
    buckets: dict[tuple[str, str, str], list[tuple[FailingPod, PullClassification]]] = {}
    for pod in evidence.pods:
        verdict = classify(pod.message or pod.reason)
        node = evidence.nodes.get(pod.node)
        buckets.setdefault((pod.image, verdict.cause, node.subnet_id if node else ""), []).append((pod, verdict))
    groups = []
    for (image, cause, subnet), members in sorted(buckets.items()):
        pods = tuple(sorted((p for p, _ in members), key=lambda p: (p.namespace, p.name, p.container)))
        verdict = members[0][1]
        host, kind = split_image(image).host, split_image(image).kind
        registry, kind = (verdict.registry or host), (verdict.registry_kind or kind)
        vpc_id = next((evidence.nodes[p.node].vpc_id for p in pods if p.node in evidence.nodes), "")
        path = (
            _group_path(evidence, pods, kind, verdict.ecr_region)
            if cause in NETWORK_CAUSES + ("other", "unclear")
            else None
        )
        group = PullGroup(
            image,
            cause,
            registry,
            kind,
            verdict.ecr_account,
            verdict.ecr_region,
            subnet,
            vpc_id,
            pods,
            members[0][0].message,
            verdict.detail,
            path,
        )
        groups.append(PullGroup(**{**group.__dict__, "code": classify_group(group, evidence)}))
    return groups


def _group_path(evidence: Evidence, pods: tuple[FailingPod, ...], kind: str, ecr_region: str) -> PathReport | None:
    seen: set[tuple] = set()
    first: PathReport | None = None
    for pod in pods:
        node = evidence.nodes.get(pod.node)
        if node is None or _node_key(node) in seen or node.vpc_id not in evidence.vpcs:
            continue
        seen.add(_node_key(node))
        report = analyse_path(node, evidence.vpcs[node.vpc_id], kind, ecr_region, needs_sts=any(p.irsa for p in pods))
        if not report.reachable:
            return report
        first = first or report
    return first


def role_has_ecr_read(role: RoleFacts) -> bool:
    if any(arn in ECR_READ_POLICIES for arn in role.attached_policy_arns):
        return True
    acts = {a.lower() for a in role.inline_ecr_actions}
    return "*" in acts or "ecr:*" in acts or all(a in acts for a in ECR_PULL_ACTIONS)


def node_roles(evidence: Evidence, group: PullGroup) -> list[RoleFacts]:
    arns = {evidence.nodes[p.node].instance_profile_arn for p in group.pods if p.node in evidence.nodes}
    return [evidence.roles[a] for a in sorted(arns) if a in evidence.roles]


def _network_code(group: PullGroup) -> str:
    """The finding code for a group whose pulls could not reach the registry."""
    if group.path is None:
        return "image_pull.network.unknown_node"
    if group.path.reachable:
        return "image_pull.network.path_open"
    if group.path.uninspectable and all(b.code == "route.uninspectable" for b in group.path.internet):
        return "image_pull.network.uninspectable"  # egress leaves through something the bot cannot see
    return "image_pull.network.no_path"


def _auth_code(group: PullGroup, evidence: Evidence) -> str:
    """The finding code for a group whose pulls the registry refused to authorise."""
    if group.registry_kind == "ecr_private":
        if group.ecr_account and group.ecr_account != evidence.account_id:
            return "image_pull.auth.cross_account"
        roles = node_roles(evidence, group)
        if roles and not all(role_has_ecr_read(r) for r in roles):
            return "image_pull.auth.node_role"
        return "image_pull.auth.ecr_other"
    return "image_pull.auth.pull_secret" if group.registry_kind == "private_other" else "image_pull.auth.public"


def classify_group(group: PullGroup, evidence: Evidence) -> str:
    """The stable finding code for a group."""
    if group.cause in NETWORK_CAUSES:
        return _network_code(group)
    if group.cause == "auth":
        return _auth_code(group, evidence)
    if group.cause == "not_found":
        repo = evidence.repos.get(split_image(group.image).repository)
        if repo is None:
            return "image_pull.not_found.unverified"
        return "image_pull.not_found.tag" if repo.exists else "image_pull.not_found.repository"
    return f"image_pull.{group.cause}"


def suggestions(group: PullGroup, evidence: Evidence) -> list[str]:
    """Closest existing tags (or repositories) for a not_found group."""
    ref = split_image(group.image)
    repo = evidence.repos.get(ref.repository)
    if repo is None:
        return []
    if repo.exists:
        return closest_tags(ref.tag, repo.tags)
    return closest_tags(ref.repository, repo.other_repositories)


def finding_for(group: PullGroup, evidence: Evidence) -> Finding:
    sev = (
        Severity.WARNING
        if group.code in ("image_pull.network.path_open", "image_pull.network.uninspectable")
        else Severity.ERROR
    )
    pods = group.pods
    target = f"{pods[0].namespace}/{pods[0].name}" if len(pods) == 1 else f"{group.image} ({len(pods)} pods)"
    rows = (
        ("NAMESPACE", "POD", "NODE", "STATUS"),
        *((p.namespace, p.name, p.node, p.reason) for p in pods[:20]),
    )
    data = {
        "image": group.image,
        "cause": group.cause,
        "registry": group.registry,
        "registry_kind": group.registry_kind,
        "subnet_id": group.subnet_id,
        "vpc_id": group.vpc_id,
        "pods": [f"{p.namespace}/{p.name}" for p in pods],
        "nodes": list(group.nodes),
        "blockers": [b.code for b in (group.path.internet + group.path.endpoints)] if group.path else [],
        "suggestions": suggestions(group, evidence),
    }
    return Finding(
        group.code,
        sev,
        explain.title(group),
        tuple(explain.evidence(group, evidence) + explain.advice(group, evidence)),
        target=target,
        count=len(pods),
        table=rows,
        data=data,
    )


def headline(groups: list[PullGroup], scope: str, seen: int) -> Msg:
    failing = sum(len(g.pods) for g in groups)
    if not groups:
        return Msg(
            f"No pod in {scope} is failing to pull its image ({seen} pods checked)",
            f"{scope}에 이미지를 못 가져오는 파드가 없습니다 (파드 {seen}개 확인)",
        )
    return Msg(
        f"{failing} pod(s) in {scope} cannot pull their image: {len(groups)} distinct problem(s)",
        f"{scope}에서 파드 {failing}개가 이미지를 가져오지 못합니다: 서로 다른 문제 {len(groups)}건",
    )
