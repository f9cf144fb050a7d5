"""Turn the broken links of an ``Analysis`` into fix plans with readable before/after. Pure.

Called by ``diagnoser`` after ``analyse``. One plan fixes every link it can, in chain order
(OIDC provider, trust policy, service account, load balancer tag or policy statement); links
that need a human (an explicit Deny, a permissions boundary, a trust policy that does not
trust this cluster's provider at all) become ``irsa.plan.manual`` findings instead. Steps on
roles outside the allow-list are dropped and reported as ``irsa.plan.refused``, and every
trust edit passes ``guardrails.check_trust_change`` before it is proposed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from bot.domain import Finding, FixPlan, Msg, PlanStep, Risk, Severity
from handlers.irsa.analyse import Analysis
from handlers.irsa.arn import role_arn
from handlers.irsa.evidence import CLUSTER_TAG, Evidence
from handlers.irsa.guardrails import check_trust_change, role_refusal
from handlers.irsa.names import KIND, OP_OIDC, OP_RESTART, OP_SA_ROLE, OP_STATEMENT, OP_TAG, OP_TRUST
from handlers.irsa.plan_k8s import sa_steps
from handlers.irsa.trust import DEFAULT_AUDIENCE
from handlers.irsa.trust_edit import add_audience, add_subjects

_ROLE_OPS = (OP_TRUST, OP_STATEMENT)
_RANK = {Risk.LOW: 0, Risk.MEDIUM: 1, Risk.HIGH: 2}


def _manual(text: Msg) -> Finding:
    return Finding("irsa.plan.manual", Severity.WARNING, text)


def inline_policy_name(action: str, resource: str) -> str:
    digest = hashlib.sha256(f"{action} {resource}".encode()).hexdigest()[:8]
    return f"chatops-{action.split(':')[-1]}-{digest}"


def _oidc_steps(ev: Evidence, codes: list[str]) -> list[tuple[PlanStep, Risk]]:
    if "irsa.oidc.provider_missing" not in codes or ev.oidc is None:
        return []
    step = PlanStep(
        OP_OIDC,
        {"url": ev.oidc.issuer, "client_ids": [DEFAULT_AUDIENCE]},
        {"exists": False},
        {"exists": True, "client_ids": [DEFAULT_AUDIENCE]},
        Msg(
            f"Create the IAM OIDC provider for {ev.oidc.issuer} (audience {DEFAULT_AUDIENCE}; "
            "IAM takes the certificate from its trusted CA library, no thumbprint pinned)",
            f"{ev.oidc.issuer} 에 대한 IAM OIDC provider 생성 (audience {DEFAULT_AUDIENCE}, "
            "인증서는 IAM 의 신뢰 CA 목록으로 확인하므로 thumbprint 지정 없음)",
        ),
    )
    return [(step, Risk.MEDIUM)]


def _trust_steps(ev: Evidence, analysis: Analysis, out: list[Finding]) -> list[tuple[PlanStep, Risk]]:
    role = ev.role
    if role is None or not role.exists or ev.oidc is None:
        return []
    provider = ev.oidc.provider_arn
    doc = dict(role.trust or {})
    subjects, touched = [], False
    for t in analysis.trust:
        if t.code == "irsa.trust.aud_mismatch" or (
            t.code == "irsa.trust.sub_missing"
            and "aud" in {c for s in t.verdict.statements for c in s.failed_claims()}
        ):
            doc = add_audience(doc, provider, t.subject) or doc
            touched = True
        if t.code in ("irsa.trust.sub_missing", "irsa.trust.aud_mismatch"):
            subjects.append(t.subject)
        elif t.code in (
            "irsa.trust.provider_mismatch",
            "irsa.trust.explicit_deny",
            "irsa.trust.condition_failed",
            "irsa.trust.pod_identity_denied",
        ):
            out.append(
                _manual(
                    Msg(
                        f"{role.name}'s trust policy needs a human decision ({t.code}): the bot never "
                        "adds a principal or a statement to a trust policy",
                        f"{role.name} 신뢰 정책은 사람이 결정해야 합니다 ({t.code}): 봇은 신뢰 정책에 "
                        "주체나 문장을 추가하지 않습니다",
                    )
                )
            )
    if not subjects and not touched:
        return []
    after = add_subjects(doc, provider, subjects)
    if after is None:
        out.append(
            _manual(
                Msg(
                    f"No statement of {role.name}'s trust policy can be extended to admit "
                    f"{', '.join(subjects)}",
                    f"{role.name} 의 신뢰 정책에서 {', '.join(subjects)} 를 추가할 수 있는 문장이 없습니다",
                )
            )
        )
        return []
    problems = check_trust_change(role.trust, after)
    if problems:
        out.append(
            Finding(
                "irsa.plan.refused",
                Severity.WARNING,
                Msg(
                    "Trust policy change refused by the guardrail", "가드레일이 신뢰 정책 변경을 거부했습니다"
                ),
                tuple(Msg.same(p) for p in problems),
                role.arn,
            )
        )
        return []
    added = ", ".join(f'"{s}"' for s in subjects)
    step = PlanStep(
        OP_TRUST,
        {"role_name": role.name},
        dict(role.trust or {}),
        after,
        Msg(
            f"Trust policy of {role.name}: add subject {added}"
            if subjects
            else f"Trust policy of {role.name}: add audience {DEFAULT_AUDIENCE}",
            f"{role.name} 신뢰 정책에 주체 추가: {added}"
            if subjects
            else f"{role.name} 신뢰 정책에 audience {DEFAULT_AUDIENCE} 추가",
        ),
    )
    return [(step, Risk.MEDIUM)]


def _permission_steps(
    ev: Evidence, analysis: Analysis, cluster: str, out: list[Finding]
) -> list[tuple[PlanStep, Risk]]:
    perm = analysis.permission
    if perm is None or ev.role is None:
        return []
    codes = analysis.codes()
    lb = ev.load_balancer
    if (
        "irsa.permission.tag_missing" in codes
        and lb is not None
        and CLUSTER_TAG in perm.missing_tags
        and cluster
    ):
        step = PlanStep(
            OP_TAG,
            {"arn": lb.arn, "key": CLUSTER_TAG},
            {"key": CLUSTER_TAG, "value": None},
            {"key": CLUSTER_TAG, "value": cluster},
            Msg(
                f"Tag load balancer {lb.name} with {CLUSTER_TAG}={cluster}",
                f"로드밸런서 {lb.name} 에 태그 {CLUSTER_TAG}={cluster} 추가",
            ),
        )
        return [(step, Risk.LOW)]
    if "irsa.permission.missing" in codes or "irsa.permission.tag_missing" in codes:
        name = inline_policy_name(ev.action, ev.resource)
        doc = {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "ChatOpsNarrowGrant", "Effect": "Allow", "Action": ev.action, "Resource": ev.resource}
            ],
        }
        step = PlanStep(
            OP_STATEMENT,
            {"role_name": ev.role.name, "policy_name": name},
            None,
            doc,
            Msg(
                f"Add inline policy {name} to {ev.role.name}: allow {ev.action} on {ev.resource} only",
                f"{ev.role.name} 에 인라인 정책 {name} 추가: {ev.resource} 에 대해서만 {ev.action} 허용",
            ),
        )
        return [(step, Risk.MEDIUM)]
    if any(c in codes for c in ("irsa.permission.explicit_deny", "irsa.permission.boundary_denies")):
        out.append(
            _manual(
                Msg(
                    "An explicit Deny or the permissions boundary blocks the action: removing it is a "
                    "security decision the bot leaves to a human",
                    "명시적 Deny 또는 권한 경계가 작업을 막고 있습니다: "
                    "제거 여부는 보안 판단이므로 사람이 결정해야 합니다",
                )
            )
        )
    return []


def plan_fix(
    ev: Evidence,
    analysis: Analysis,
    role_patterns: Sequence[str],
    now: datetime,
    cluster: str = "",
    verify: dict | None = None,
) -> tuple[tuple[FixPlan, ...], tuple[Finding, ...]]:
    """The plan for every fixable broken link, plus findings about what was refused or left manual."""
    out: list[Finding] = []
    steps = _oidc_steps(ev, analysis.codes()) + _trust_steps(ev, analysis, out) + sa_steps(ev, analysis, now)
    if "irsa.sa.annotation_missing" in analysis.codes() and (ev.role is None or not ev.role.exists):
        out.append(
            _manual(
                Msg(
                    "The service account has no role annotation and no role could be inferred",
                    "서비스 어카운트에 역할 어노테이션이 없고 사용할 역할도 알 수 없습니다",
                )
            )
        )
    steps += _permission_steps(ev, analysis, cluster or ev.cluster, out)
    kept = []
    for step, risk in steps:
        reason = role_refusal(step.params["role_name"], role_patterns) if step.op in _ROLE_OPS else ""
        if reason:
            out.append(
                Finding(
                    "irsa.plan.refused",
                    Severity.WARNING,
                    Msg(
                        f"Not proposing: {step.description.en} ({reason})",
                        f"제안하지 않음: {step.description.ko} (허용 목록 밖의 역할)",
                    ),
                    (Msg.same(reason),),
                    role_arn(ev.account, step.params["role_name"]),
                )
            )
        else:
            kept.append((step, risk))
    if not kept:
        return (), tuple(out)
    risk = max((r for _, r in kept), key=_RANK.__getitem__)
    titles = [s.description for s, _ in kept]
    title = (
        titles[0]
        if len(titles) == 1
        else Msg(
            f"{len(titles)} changes: " + "; ".join(t.en for t in titles),
            f"변경 {len(titles)}건: " + "; ".join(t.ko for t in titles),
        )
    )
    plan = FixPlan(KIND, title, tuple(s for s, _ in kept), risk, ev.target, verify=dict(verify or {}))
    return (plan,), tuple(out)


__all__ = ["KIND", "OP_OIDC", "OP_RESTART", "OP_SA_ROLE", "OP_STATEMENT", "OP_TAG", "OP_TRUST", "plan_fix"]
