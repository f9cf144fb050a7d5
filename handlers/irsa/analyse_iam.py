"""The IAM links of the IRSA chain: the role's trust policy and its permissions. Pure: no I/O.

Called by ``analyse``. The trust policy is judged by ``trust`` for every service account in the
evidence (IRSA or EKS Pod Identity). The permission verdict comes from AWS's own evaluator
(``iam:SimulatePrincipalPolicy``, when ``collect`` could call it) or else from ``permissions``;
the finding says which one produced it. The bot's evaluator always runs too, because it can
say *why* (for example a missing ``elbv2.k8s.aws/cluster`` tag) where the simulator only says no.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.domain import Finding, Msg, Severity
from bot.korean import attach
from handlers.irsa.arn import role_name_from, sa_subject
from handlers.irsa.evidence import Evidence, ServiceAccountFacts
from handlers.irsa.permissions import (
    ALLOWED,
    EXPLICIT_DENY,
    PermissionVerdict,
    evaluate_permission,
    resource_tag_context,
)
from handlers.irsa.trust import TrustVerdict, evaluate_pod_identity_trust, evaluate_trust

AWS_SIMULATOR = "iam:SimulatePrincipalPolicy"
OWN_EVALUATOR = "bot's policy evaluator"
# How each verdict source reads in a Korean thread.
SOURCE_KO = {AWS_SIMULATOR: "AWS 정책 시뮬레이터 (iam:SimulatePrincipalPolicy)", OWN_EVALUATOR: "봇의 정책 평가기"}


@dataclass(frozen=True)
class TrustOutcome:
    service_account: ServiceAccountFacts
    subject: str
    verdict: TrustVerdict
    code: str


@dataclass(frozen=True)
class PermissionOutcome:
    own: PermissionVerdict
    decision: str
    source: str
    missing_tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _sa_uses_role(sa: ServiceAccountFacts, role_name: str) -> bool:
    arns = [a for a in (sa.role_arn, sa.pod_identity_role) if a]
    return not arns or any(role_name_from(a) == role_name for a in arns)


def _trust_code(verdict: TrustVerdict) -> str:
    if verdict.admitted:
        return "irsa.trust.ok"
    if verdict.statement is not None:
        return "irsa.trust.explicit_deny"
    candidates = [s for s in verdict.statements if s.effect == "Allow" and s.principal_ok and s.action_ok]
    if not candidates:
        return "irsa.trust.provider_mismatch" if verdict.mechanism == "irsa" else "irsa.trust.pod_identity_denied"
    claims = {c for s in candidates for c in s.failed_claims()}
    if "sub" in claims:
        return "irsa.trust.sub_missing"
    if "aud" in claims:
        return "irsa.trust.aud_mismatch"
    return "irsa.trust.condition_failed"


_TITLES = {
    "irsa.trust.ok": (
        "Role {role}'s trust policy admits {subject}",
        "역할 {role}의 신뢰 정책이 {subject:를} 허용합니다",
    ),
    "irsa.trust.sub_missing": (
        "Role {role}'s trust policy does not admit {subject}",
        "{role}의 신뢰 정책이 {subject:를} 허용하지 않습니다",
    ),
    "irsa.trust.aud_mismatch": (
        "Role {role}'s trust policy expects another token audience than sts.amazonaws.com",
        "{role}의 신뢰 정책이 sts.amazonaws.com 이 아닌 audience를 요구합니다",
    ),
    "irsa.trust.provider_mismatch": (
        "Role {role}'s trust policy does not trust this cluster's OIDC provider",
        "{role}의 신뢰 정책이 이 클러스터의 OIDC provider를 신뢰하지 않습니다",
    ),
    "irsa.trust.explicit_deny": (
        "Role {role}'s trust policy explicitly denies {subject}",
        "{role}의 신뢰 정책이 {subject:를} 명시적으로 거부합니다",
    ),
    "irsa.trust.pod_identity_denied": (
        "Role {role}'s trust policy does not admit EKS Pod Identity",
        "{role}의 신뢰 정책이 EKS Pod Identity를 허용하지 않습니다",
    ),
    "irsa.trust.condition_failed": (
        "Role {role}'s trust policy conditions reject {subject}",
        "{role}의 신뢰 정책 조건이 {subject:를} 거부합니다",
    ),
}


def trust_findings(ev: Evidence) -> tuple[list[TrustOutcome], list[Finding]]:
    role = ev.role
    if role is None or not role.exists:
        if role is not None:
            return [], [
                Finding(
                    "irsa.role.missing",
                    Severity.ERROR,
                    Msg(f"IAM role {role.name} does not exist", f"IAM 역할 {attach(role.name, '가')} 없습니다"),
                    target=role.arn,
                )
            ]
        return [], []
    provider = ev.oidc.provider_arn if ev.oidc else None
    outcomes, findings = [], []
    for sa in ev.service_accounts:
        if not sa.exists or not _sa_uses_role(sa, role.name):
            continue
        subject = sa_subject(sa.namespace, sa.name)
        if sa.pod_identity_role and not sa.role_arn:
            verdict = evaluate_pod_identity_trust(role.trust, sa.namespace, sa.name)
        else:
            verdict = evaluate_trust(role.trust, subject, provider=provider)
        code = _trust_code(verdict)
        outcomes.append(TrustOutcome(sa, subject, verdict, code))
        en, ko = _TITLES[code]
        evidence = tuple(Msg.same(r) for r in verdict.reasons)
        findings.append(
            Finding(
                code,
                Severity.OK if verdict.admitted else Severity.ERROR,
                Msg(en, ko).format(role=role.name, subject=subject),
                evidence,
                role.arn,
                data={"subject": subject, "statement": verdict.statement, "mechanism": verdict.mechanism},
            )
        )
        notes = [f for s in verdict.statements for f in s.failed if f.note]
        if notes:
            findings.append(
                Finding(
                    "irsa.trust.wildcard_literal",
                    Severity.WARNING,
                    Msg(
                        "A wildcard in a StringEquals condition is compared literally",
                        "StringEquals 조건의 와일드카드는 문자 그대로 비교됩니다",
                    ),
                    (Msg.same(notes[0].note),),
                    role.arn,
                )
            )
    return outcomes, findings


def _decision(ev: Evidence, own: PermissionVerdict) -> tuple[str, str, list[Msg]]:
    sim = ev.simulation
    if sim is not None and sim.available and sim.decision:
        extra = (
            []
            if sim.decision == own.decision
            else [
                Msg(
                    f"the bot's evaluator says {own.decision}; AWS's verdict is used",
                    f"봇 평가기는 {attach(own.decision, '로')} 판단했지만 AWS 판정을 따릅니다",
                )
            ]
        )
        return sim.decision, AWS_SIMULATOR, extra
    note = [Msg.same(f"{AWS_SIMULATOR} not available: {sim.note}")] if sim is not None and sim.note else []
    return own.decision, OWN_EVALUATOR, note


def permission_findings(ev: Evidence) -> tuple[PermissionOutcome | None, list[Finding]]:
    role = ev.role
    if role is None or not role.exists or not ev.action or not ev.resource:
        return None, []
    tags = dict(ev.load_balancer.tags) if ev.load_balancer and ev.load_balancer.exists else {}
    own = evaluate_permission(role.policies, ev.action, ev.resource, resource_tag_context(tags), role.boundary)
    decision, source, extra = _decision(ev, own)
    missing: dict[str, tuple[str, ...]] = {}
    for miss in own.near_misses:
        missing.update(miss.missing_resource_tags())
    what = f"{ev.action} on {ev.resource}"
    evidence = (
        Msg(f"verdict by {source}", f"판정: {SOURCE_KO.get(source, source)}"),
        *extra,
        *(Msg.same(r) for r in own.reasons),
        Msg.same(f"resource tags: {tags or '{}'}"),
    )
    if decision == ALLOWED:
        code, sev = "irsa.permission.ok", Severity.OK
        title = Msg(f"{role.name} may perform {what}", f"{attach(role.name, '는')} {what} 권한이 있습니다")
    elif decision == EXPLICIT_DENY:
        code, sev = (
            "irsa.permission.boundary_denies" if own.boundary_blocks else "irsa.permission.explicit_deny",
            Severity.ERROR,
        )
        title = Msg(
            f"An explicit Deny blocks {role.name} from {what}",
            f"명시적 Deny 가 {role.name}의 {attach(what, '를')} 막습니다",
        )
    elif own.boundary_blocks:
        code, sev = "irsa.permission.boundary_denies", Severity.ERROR
        title = Msg(
            f"{role.name}'s permissions boundary does not allow {what}",
            f"{role.name}의 권한 경계가 {attach(what, '를')} 허용하지 않습니다",
        )
    elif missing:
        code, sev = "irsa.permission.tag_missing", Severity.ERROR
        keys = ", ".join(missing)
        title = Msg(
            f"{role.name}'s policy allows {ev.action} only on resources tagged {keys}; this one is not",
            f"{role.name}의 정책은 {keys} 태그가 있는 리소스에만 {attach(ev.action, '를')} 허용하는데 "
            "이 리소스에는 태그가 없습니다",
        )
    else:
        code, sev = "irsa.permission.missing", Severity.ERROR
        title = Msg(
            f"No policy of {role.name} allows {what}",
            f"{role.name}의 어떤 정책도 {attach(what, '를')} 허용하지 않습니다",
        )
    finding = Finding(
        code,
        sev,
        title,
        evidence,
        ev.resource,
        data={
            "decision": decision,
            "source": source,
            "action": ev.action,
            "resource": ev.resource,
            "missing_tags": {k: list(v) for k, v in missing.items()},
        },
    )
    return PermissionOutcome(own, decision, source, missing), [finding]
