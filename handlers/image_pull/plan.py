"""Turn image-pull groups into fix plans: the right fix for the registry and the cause.

Pure: called by ``handlers.image_pull.diagnoser`` with the groups from ``analyse`` and the
``Evidence`` from ``collect``; every ``before`` comes from that evidence in the shape the
operations read back. Network fixes are planned per route table (``plan_network``), the others
per group here. Never proposes a public IP or a temporary ENI: the ways out are VPC
endpoints or an existing NAT gateway; an ECR pull-through cache only against rate limits
(its first pull needs the NAT path anyway).
"""

from __future__ import annotations

from bot.domain import FixPlan, Msg, PlanStep, Risk
from bot.korean import attach
from handlers.image_pull import steps as S
from handlers.image_pull.analyse import PullGroup, node_roles, role_has_ecr_read, suggestions
from handlers.image_pull.images import (
    PTC_NEEDS_CREDENTIAL,
    PTC_SECRET_PREFIX,
    PTC_UPSTREAMS,
    pull_through_image,
    split_image,
    with_tag,
)
from handlers.image_pull.model import Evidence, FailingPod
from handlers.image_pull.plan_network import plan_network

ECR_READ_ONLY = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
KIND = "image_pull"


def plan_fixes(evidence: Evidence, groups: list[PullGroup]) -> tuple[FixPlan, ...]:
    plans: list[FixPlan] = list(plan_network(evidence, [g for g in groups if g.code == "image_pull.network.no_path"]))
    for group in groups:
        if group.code == "image_pull.auth.node_role":
            plans += _plan_node_role(evidence, group)
        elif group.code == "image_pull.not_found.tag":
            plans += _plan_tag(evidence, group)
        elif group.code == "image_pull.rate_limited" and group.registry_kind != "ecr_private":
            plans += _plan_pull_through(evidence, group)
    # No pull-through cache in place of NAT for a public registry with no way out: the first pull
    # through a cache rule over VPC endpoints needs a NAT route (ECR User Guide, "Amazon ECR interface
    # VPC endpoints"); ``explain`` says so and offers copying the image into private ECR instead.
    return tuple(plans)


def _plan_node_role(evidence: Evidence, group: PullGroup) -> list[FixPlan]:
    steps = [
        S.attach_policy(r.role_name, ECR_READ_ONLY)
        for r in node_roles(evidence, group)
        if r.role_name and not role_has_ecr_read(r)
    ]
    if not steps:
        return []
    steps.append(S.delete_pods(group.pods))
    names = ", ".join(s.params["role"] for s in steps[:-1])
    title = Msg(
        f"Let the node role {names} read ECR (AmazonEC2ContainerRegistryReadOnly), then recreate "
        f"{len(group.pods)} pod(s)",
        f"노드 역할 {names}에 ECR 읽기 권한(AmazonEC2ContainerRegistryReadOnly) 연결 후 파드 "
        f"{len(group.pods)}개 재생성",
    )
    return [FixPlan(KIND, title, tuple(steps), Risk.MEDIUM, group.image, S.verify_replacements(group.pods))]


def _owners(pods: tuple[FailingPod, ...]) -> dict[tuple[str, str, str, str], list[FailingPod]]:
    """Pods by the object whose image must change: (namespace, kind, name, container)."""
    out: dict[tuple[str, str, str, str], list[FailingPod]] = {}
    for pod in pods:
        if pod.owner and pod.owner.kind in ("Deployment", "DaemonSet", "StatefulSet"):
            key = (pod.namespace, pod.owner.kind, pod.owner.name, pod.container)
        elif pod.owner is None:
            key = (pod.namespace, "Pod", pod.name, pod.container)
        else:
            continue  # owned by something we do not patch (Job, a bare ReplicaSet, an operator's CR)
        out.setdefault(key, []).append(pod)
    return out


def _rewrite_steps(
    groups_pods: tuple[FailingPod, ...], new_image: str
) -> tuple[list[PlanStep], list[FailingPod], list[dict]]:
    """Image patches per owner, plus the pods that a rollout will not replace on its own."""
    steps, to_delete, watch = [], [], []
    for (ns, kind, name, container), pods in sorted(_owners(groups_pods).items()):
        steps.append(S.set_image(ns, kind, name, container, pods[0].image, new_image))
        owner = pods[0].owner
        rolls = kind == "Deployment" or (kind == "DaemonSet" and owner and owner.strategy != "OnDelete")
        if not rolls and kind != "Pod":
            to_delete += pods  # StatefulSet (forced rollback) and OnDelete DaemonSets need the pods deleted
        watch.append(S.watch_entry(pods, new_image))
    return steps, to_delete, watch


def _plan_tag(evidence: Evidence, group: PullGroup) -> list[FixPlan]:
    tags = suggestions(group, evidence)
    if not tags:
        return []
    new_image = with_tag(group.image, tags[0])
    steps, to_delete, watch = _rewrite_steps(group.pods, new_image)
    if not steps:
        return []
    if to_delete:
        steps.append(S.delete_pods(tuple(to_delete)))
    old = split_image(group.image).tag
    others = f" (other close tags: {', '.join(tags[1:])})" if tags[1:] else ""
    title = Msg(
        f"Use the existing tag `{tags[0]}` instead of `{old}`{others}",
        f"없는 태그 `{old}` 대신 존재하는 태그 `{tags[0]}` 사용"
        + (f" (다른 후보: {', '.join(tags[1:])})" if tags[1:] else ""),
    )
    return [FixPlan(KIND, title, tuple(steps), Risk.MEDIUM, group.image, {"watch": watch})]


def _credential(evidence: Evidence, host: str) -> str | None:
    """The Secrets Manager ARN for the upstream's cache rule; "" when none is needed, None when missing."""
    if host not in PTC_NEEDS_CREDENTIAL:
        return ""
    prefix = PTC_SECRET_PREFIX + PTC_UPSTREAMS[host][0]
    return next((a for a in evidence.ptc_secret_arns if f":secret:{prefix}" in a), None)


def _plan_pull_through(evidence: Evidence, group: PullGroup) -> list[FixPlan]:
    host = split_image(group.image).host
    if host not in PTC_UPSTREAMS:
        return []
    credential = _credential(evidence, host)
    if credential is None:
        return []  # the finding says which secret to create; a rule without it would fail on first pull
    prefix, upstream = PTC_UPSTREAMS[host]
    steps: list[PlanStep] = []
    if evidence.ptc_rules.get(prefix) != upstream:
        steps.append(S.ptc_rule(prefix, upstream, credential))
    new_image = pull_through_image(group.image, evidence.account_id, evidence.region)
    patches, to_delete, watch = _rewrite_steps(group.pods, new_image)
    if not patches:
        return []
    steps += patches
    if to_delete:
        steps.append(S.delete_pods(tuple(to_delete)))
    title = Msg(
        f"Pull {group.image} through an ECR pull-through cache ({prefix}/ -> {upstream}) as {new_image}",
        f"{attach(group.image, '를')} ECR pull-through cache ({prefix}/ -> {upstream}) 경유 "
        f"{attach(new_image, '로')} 받기",
    )
    return [FixPlan(KIND, title, tuple(steps), Risk.MEDIUM, group.image, {"watch": watch})]
