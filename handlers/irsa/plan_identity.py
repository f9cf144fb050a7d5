"""IRSA plans on the identity side: the OIDC provider, trust policies, service-account annotations
and restarts. Pure; called by ``plan.plan_fix``.

A trust-policy edit adds exactly the service accounts live state shows using the role (the
controller's own, on the ingress path) and only ``sts.amazonaws.com`` as an audience, one plan per
namespace; a service account is annotated only with a role whose trust policy already admits it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.domain import Finding, FixPlan, Msg, PlanStep, Risk, Severity
from bot.korean import attach, josa
from handlers.irsa.analyse import Analysis
from handlers.irsa.analyse_iam import TrustOutcome
from handlers.irsa.arn import parse_subject, sa_subject
from handlers.irsa.evidence import Evidence, ServiceAccountFacts
from handlers.irsa.guardrails import check_trust_change
from handlers.irsa.names import OP_OIDC, OP_TRUST
from handlers.irsa.plan_common import manual, one_plan, refused
from handlers.irsa.plan_k8s import annotate_step, restart_step
from handlers.irsa.trust import DEFAULT_AUDIENCE, evaluate_trust, statements_of
from handlers.irsa.trust_edit import add_audience, add_subjects

# --- the OIDC provider -----------------------------------------------------------------------------


def oidc_plans(ev: Evidence, analysis: Analysis, verify: Mapping[str, Any]) -> list[FixPlan]:
    if "irsa.oidc.provider_missing" not in analysis.codes() or ev.oidc is None:
        return []
    step = PlanStep(
        OP_OIDC,
        {"url": ev.oidc.issuer, "client_ids": [DEFAULT_AUDIENCE]},
        {"exists": False},
        {"exists": True, "client_ids": [DEFAULT_AUDIENCE]},
        Msg(
            f"Create the IAM OIDC provider for {ev.oidc.issuer} (audience {DEFAULT_AUDIENCE}; "
            "IAM takes the certificate from its trusted CA library, no thumbprint pinned)",
            f"{ev.oidc.issuer}에 대한 IAM OIDC provider 생성 (audience {DEFAULT_AUDIENCE}, "
            "인증서는 IAM의 신뢰 CA 목록으로 확인하므로 thumbprint 지정 없음)",
        ),
        Risk.HIGH,
    )
    return [one_plan(step.description, [step], ev, verify)]


# --- trust policy ----------------------------------------------------------------------------------


def trusted_namespaces(trust: Any, provider: str) -> set[str]:
    """Namespaces of the service-account subjects the trust policy already names for ``provider``."""
    host = provider.split("oidc-provider/", 1)[-1].lower()
    found: set[str] = set()
    for stmt in statements_of(trust):
        for tests in (stmt.get("Condition") or {}).values():
            for key, values in (tests or {}).items():
                if key.lower() != f"{host}:sub":
                    continue
                for value in [values] if isinstance(values, str) else list(values or []):
                    try:
                        found.add(parse_subject(str(value))[0])
                    except ValueError:
                        continue
    return found


def _in_use(sa: ServiceAccountFacts) -> bool:
    return sa.exists and (sa.pods > 0 or bool(sa.workloads))


def _controller_accounts(ev: Evidence) -> set[tuple[str, str]]:
    c = ev.controller
    return {(c.namespace, name) for name in c.service_accounts} if c is not None else set()


def _eligible(ev: Evidence, outcome: TrustOutcome, out: list[Finding]) -> bool:
    """May the bot propose adding this service account to the role's trust policy?"""
    sa = outcome.service_account
    role = ev.role
    assert role is not None
    if ev.component and (sa.namespace, sa.name) not in _controller_accounts(ev):
        c = ev.controller
        where = c.target if c is not None else "?"
        out.append(
            refused(
                Msg(
                    f"Not proposing: {role.name} is the AWS Load Balancer Controller's role ({where}); "
                    f"the bot adds only the controller's own service account, not {sa.target}",
                    f"제안하지 않음: {attach(role.name, '는')} AWS Load Balancer Controller({where})의 역할입니다. "
                    f"봇은 컨트롤러 자신의 서비스 어카운트만 추가하며 {attach(sa.target, '는')} 추가하지 않습니다",
                ),
                "privileged role",
                role.arn,
            )
        )
        return False
    if ev.ingress is None and not _in_use(sa):
        out.append(
            manual(
                Msg(
                    f"No pod or workload uses service account {sa.target}; the bot will not extend "
                    f"{role.name}'s trust policy for it",
                    f"서비스 어카운트 {attach(sa.target, '를')} 쓰는 파드나 워크로드가 없어 {role.name} 신뢰 정책을 "
                    "확장하지 않습니다",
                )
            )
        )
        return False
    return True


def _trustone_plan(
    ev: Evidence,
    namespace: str,
    outcomes: list[TrustOutcome],
    *,
    new_namespace: bool,
    verify: Mapping[str, Any],
    out: list[Finding],
) -> FixPlan | None:
    role, oidc = ev.role, ev.oidc
    assert role is not None and oidc is not None
    provider = oidc.provider_arn
    doc = dict(role.trust or {})
    subjects = []
    for t in outcomes:
        if t.code == "irsa.trust.aud_mismatch" or "aud" in {c for s in t.verdict.statements for c in s.failed_claims()}:
            doc = add_audience(doc, provider, t.subject) or doc
        subjects.append(t.subject)
    after = add_subjects(doc, provider, subjects)
    if after is None:
        out.append(
            manual(
                Msg(
                    f"No statement of {role.name}'s trust policy can be extended to admit {', '.join(subjects)}",
                    f"{role.name}의 신뢰 정책에서 {attach(', '.join(subjects), '를')} 추가할 수 있는 문장이 없습니다",
                )
            )
        )
        return None
    problems = check_trust_change(role.trust, after)
    if problems:
        out.append(
            Finding(
                "irsa.plan.refused",
                Severity.WARNING,
                Msg("Trust policy change refused by the guardrail", "가드레일이 신뢰 정책 변경을 거부했습니다"),
                tuple(Msg.same(p) for p in problems),
                role.arn,
            )
        )
        return None
    added = ", ".join(f'"{s}"' for s in subjects)
    step = PlanStep(
        OP_TRUST,
        {"role_name": role.name},
        dict(role.trust or {}),
        after,
        Msg(f"Trust policy of {role.name}: add subject {added}", f"{role.name} 신뢰 정책에 주체 추가: {added}"),
        Risk.HIGH,
    )
    accounts = ", ".join(t.service_account.name for t in outcomes)
    if new_namespace:
        title = Msg(
            f"Let namespace {namespace} ({accounts}) assume {role.name}: a namespace its trust policy "
            "has not trusted before",
            f"네임스페이스 {namespace}({accounts}){josa(namespace, '가')} {attach(role.name, '를')} 사용하도록 "
            f"허용: 지금까지 신뢰 "
            f"정책에 "
            "없던 네임스페이스입니다",
        )
    else:
        title = Msg(
            f"Let {namespace}/{accounts} assume {role.name}",
            f"{namespace}/{attach(accounts, '가')} {attach(role.name, '를')} 사용하도록 허용",
        )
    return one_plan(title, [step], ev, verify)


def trust_plans(ev: Evidence, analysis: Analysis, verify: Mapping[str, Any], out: list[Finding]) -> list[FixPlan]:
    role = ev.role
    if role is None or not role.exists or ev.oidc is None:
        return []
    by_namespace: dict[str, list[TrustOutcome]] = {}
    for t in analysis.trust:
        if t.code in ("irsa.trust.sub_missing", "irsa.trust.aud_mismatch"):
            if _eligible(ev, t, out):
                by_namespace.setdefault(t.service_account.namespace, []).append(t)
        elif t.code in (
            "irsa.trust.provider_mismatch",
            "irsa.trust.explicit_deny",
            "irsa.trust.condition_failed",
            "irsa.trust.pod_identity_denied",
        ):
            out.append(
                manual(
                    Msg(
                        f"{role.name}'s trust policy needs a human decision ({t.code}): the bot never "
                        "adds a principal or a statement to a trust policy",
                        f"{role.name} 신뢰 정책은 사람이 결정해야 합니다 ({t.code}): 봇은 신뢰 정책에 "
                        "주체나 문장을 추가하지 않습니다",
                    )
                )
            )
    known = trusted_namespaces(role.trust, ev.oidc.provider_arn)
    plans = []
    for namespace, outcomes in by_namespace.items():
        plan = _trustone_plan(ev, namespace, outcomes, new_namespace=namespace not in known, verify=verify, out=out)
        if plan is not None:
            plans.append(plan)
    return plans


# --- service accounts ------------------------------------------------------------------------------


def _other_subjects(ev: Evidence, sa: ServiceAccountFacts) -> bool:
    """Does the role's trust policy name service accounts other than ``sa``?"""
    assert ev.role is not None and ev.oidc is not None
    host = ev.oidc.provider_arn.split("oidc-provider/", 1)[-1].lower()
    mine = sa_subject(sa.namespace, sa.name)
    for stmt in statements_of(ev.role.trust):
        for tests in (stmt.get("Condition") or {}).values():
            for key, values in (tests or {}).items():
                listed = [values] if isinstance(values, str) else list(values or [])
                if key.lower() == f"{host}:sub" and any(str(v) != mine for v in listed):
                    return True
    return False


def sa_plans(
    ev: Evidence, analysis: Analysis, now: datetime, verify: Mapping[str, Any], out: list[Finding], trusted: set[str]
) -> list[FixPlan]:
    """Annotation and restart plans; a restart only for accounts the role trusts (or will trust)."""
    plans: list[FixPlan] = []
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    role = ev.role
    for sa in ev.service_accounts:
        codes = [f.code for f in analysis.findings if f.target == sa.target and f.code.startswith("irsa.sa.")]
        if not sa.exists or not codes:
            continue
        if codes[0] == "irsa.sa.annotation_missing":
            plan = _annotationone_plan(ev, sa, stamp, verify, out)
            if plan is not None:
                plans.append(plan)
        elif codes[0] == "irsa.sa.pods_without_identity" and sa.workloads and sa.target in trusted:
            steps = [restart_step(w.kind, w.namespace, w.name, w.restarted_at, stamp) for w in sa.workloads]
            names = ", ".join(f"{w.kind}/{w.name}" for w in sa.workloads)
            plans.append(
                one_plan(
                    Msg(
                        f"Restart {names} in {sa.namespace} so its pods get the web identity",
                        f"{sa.namespace}의 {names} 재시작 (파드에 웹 아이덴티티 주입)",
                    ),
                    steps,
                    ev,
                    verify,
                )
            )
    if "irsa.sa.annotation_missing" in analysis.codes() and (role is None or not role.exists):
        out.append(
            manual(
                Msg(
                    "The service account has no role annotation and no role could be inferred",
                    "서비스 어카운트에 역할 어노테이션이 없고 사용할 역할도 알 수 없습니다",
                )
            )
        )
    return plans


def _annotationone_plan(
    ev: Evidence, sa: ServiceAccountFacts, stamp: str, verify: Mapping[str, Any], out: list[Finding]
) -> FixPlan | None:
    role, oidc = ev.role, ev.oidc
    if role is None or not role.exists or oidc is None:
        return None
    if not evaluate_trust(role.trust, sa_subject(sa.namespace, sa.name), provider=oidc.provider_arn).admitted:
        out.append(
            manual(
                Msg(
                    f"Role {role.name} (named in the error) does not trust {sa.target}; the bot will not "
                    "annotate the service account with it",
                    f"역할 {role.name} (오류에 나온 역할)의 신뢰 정책이 {attach(sa.target, '를')} 허용하지 않으므로 "
                    "서비스 어카운트에 이 역할을 지정하지 않습니다",
                )
            )
        )
        return None
    shared = _other_subjects(ev, sa)
    step = annotate_step(sa, role.arn, stamp, Risk.HIGH if shared else Risk.MEDIUM)
    if shared:
        title = Msg(
            f"Give namespace {sa.namespace}'s {sa.name} the role {role.name}, which other service accounts use too",
            f"네임스페이스 {sa.namespace}의 {sa.name}에 다른 서비스 어카운트도 쓰는 역할 {role.name} 지정",
        )
    else:
        title = step.description
    return one_plan(title, [step], ev, verify)
