"""IRSA plans on the permission side: the ``elbv2.k8s.aws/cluster`` tag on the ingress's own load
balancer, or a grant bounded by the component's reference policy. Pure; called by ``plan.plan_fix``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.domain import Finding, FixPlan, Msg, PlanStep, Risk
from bot.korean import attach
from handlers.irsa.analyse import Analysis
from handlers.irsa.evidence import CLUSTER_TAG, Evidence, LoadBalancerFacts
from handlers.irsa.grants import reference, reference_grant
from handlers.irsa.names import OP_STATEMENT, OP_TAG
from handlers.irsa.plan_common import manual, one_plan, refused

_POLICY_NAME_CHARS = re.compile(r"[^\w+=,.@-]", re.ASCII)
# Tags the controller (v2 and v1) puts on a load balancer it made for an ingress or a group.
STACK_TAG = "ingress.k8s.aws/stack"
V1_NAME_TAG, V1_NAMESPACE_TAG = "kubernetes.io/ingress-name", "kubernetes.io/namespace"


def policy_name(component: str, action: str) -> str:
    """A valid inline policy name (``[\\w+=,.@-]{1,128}``, IAM API reference, PutRolePolicy)."""
    name = f"chatops-{component}-{action.split(':')[-1]}"
    return _POLICY_NAME_CHARS.sub("-", name)[:128]


def belongs_to_ingress(lb: LoadBalancerFacts, namespace: str, name: str) -> bool:
    """Do the load balancer's own tags say the controller made it for this ingress?"""
    tags = lb.tags
    if tags.get(STACK_TAG) == f"{namespace}/{name}":
        return True
    return tags.get(V1_NAME_TAG) == name and tags.get(V1_NAMESPACE_TAG) == namespace


def _tagone_plan(ev: Evidence, cluster: str, verify: Mapping[str, Any], out: list[Finding]) -> list[FixPlan]:
    lb, ing = ev.load_balancer, ev.ingress
    if lb is not None and ev.load_balancer_source == "named":
        out.append(
            refused(
                Msg(
                    f"Not tagging {lb.name}: it is named in the error, not the load balancer of a stuck ingress "
                    "(ask with `/ops ingress NAMESPACE/NAME` for the ingress that uses it)",
                    f"{lb.name}에 태그를 달지 않음: 오류에 나온 로드밸런서일 뿐 삭제가 막힌 Ingress의 로드밸런서가 "
                    "아닙니다 (`/ops ingress NAMESPACE/NAME` 으로 해당 Ingress를 진단하세요)",
                ),
                "named in pasted text",
                lb.arn,
            )
        )
        return []
    if lb is None or ing is None or ev.load_balancer_source != "ingress" or not cluster:
        return []
    if not belongs_to_ingress(lb, ing.namespace, ing.name):
        out.append(
            refused(
                Msg(
                    f"Not tagging {lb.name}: its tags do not say it was made for ingress {ing.target}",
                    f"{lb.name}에 태그를 달지 않음: 태그상 Ingress {ing.target} 용 로드밸런서가 아닙니다",
                ),
                f"tags: {dict(lb.tags)}",
                lb.arn,
            )
        )
        return []
    step = PlanStep(
        OP_TAG,
        {"arn": lb.arn, "key": CLUSTER_TAG},
        {"key": CLUSTER_TAG, "value": None},
        {"key": CLUSTER_TAG, "value": cluster},
        Msg(
            f"Tag load balancer {lb.name} with {CLUSTER_TAG}={cluster} (the controller's policy lets it "
            "modify and delete only load balancers with this tag)",
            f"로드밸런서 {lb.name}에 태그 {CLUSTER_TAG}={cluster} 추가 (컨트롤러 정책은 이 태그가 있는 "
            "로드밸런서만 수정·삭제할 수 있게 합니다)",
        ),
        Risk.HIGH,
    )
    return [one_plan(step.description, [step], ev, verify)]


def _grantone_plan(ev: Evidence, verify: Mapping[str, Any], out: list[Finding]) -> list[FixPlan]:
    role = ev.role
    assert role is not None
    if not ev.component:
        out.append(
            manual(
                Msg(
                    f"{role.name} lacks {ev.action}, but the bot knows no reference policy for what uses this role, "
                    "so it grants nothing by itself: a human must decide",
                    f"{role.name}에 {ev.action} 권한이 없지만, 이 역할을 쓰는 구성 요소의 기준 정책을 알지 못해 "
                    "봇이 권한을 부여하지 않습니다: 사람이 결정해야 합니다",
                )
            )
        )
        return []
    doc = reference_grant(ev.component, ev.partition, ev.action)
    ref = reference(ev.component, ev.partition)
    if doc is None or ref is None:
        out.append(
            manual(
                Msg(
                    f"The official {ev.component} policy does not grant {ev.action}; the bot will not grant it",
                    f"공식 {ev.component} 정책에는 {attach(ev.action, '가')} 없으므로 봇이 부여하지 않습니다",
                )
            )
        )
        return []
    name = policy_name(ev.component, ev.action)
    step = PlanStep(
        OP_STATEMENT,
        {"role_name": role.name, "policy_name": name},
        None,
        doc,
        Msg(
            f"Add inline policy {name} to {role.name}: {ev.action} exactly as the official {ev.component} "
            f"policy grants it ({ref.source}, last changed {ref.last_changed})",
            f"{role.name}에 인라인 정책 {name} 추가: 공식 {ev.component} 정책과 같은 범위로 {ev.action} 허용 "
            f"({ref.source}, {ref.last_changed} 변경)",
        ),
        Risk.HIGH,
    )
    return [one_plan(step.description, [step], ev, verify)]


def permission_plans(
    ev: Evidence, analysis: Analysis, cluster: str, verify: Mapping[str, Any], out: list[Finding]
) -> list[FixPlan]:
    perm = analysis.permission
    if perm is None or ev.role is None:
        return []
    codes = analysis.codes()
    if "irsa.permission.tag_missing" in codes and CLUSTER_TAG in perm.missing_tags:
        return _tagone_plan(ev, cluster, verify, out)
    if "irsa.permission.missing" in codes or "irsa.permission.tag_missing" in codes:
        return _grantone_plan(ev, verify, out)
    if any(c in codes for c in ("irsa.permission.explicit_deny", "irsa.permission.boundary_denies")):
        out.append(
            manual(
                Msg(
                    "An explicit Deny or the permissions boundary blocks the action: removing it is a "
                    "security decision the bot leaves to a human",
                    "명시적 Deny 또는 권한 경계가 작업을 막고 있습니다: "
                    "제거 여부는 보안 판단이므로 사람이 결정해야 합니다",
                )
            )
        )
    return []
