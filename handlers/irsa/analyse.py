"""Decide which link of the IRSA chain is broken, from ``Evidence``. Pure: no I/O.

Called by ``diagnoser`` after ``collect``; tested from fixture files. Walks the chain in
order (ingress -> controller error -> service account -> OIDC issuer and IAM provider -> the
role's trust policy -> the role's permissions for the denied action on that resource) and
returns one ``Finding`` per link it could judge, with evidence. The IAM links are judged in
``analyse_iam``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import Finding, Msg, Severity
from bot.korean import attach
from handlers.irsa.analyse_claims import claim_findings, controller_findings
from handlers.irsa.analyse_decoded import decoded_findings
from handlers.irsa.analyse_iam import PermissionOutcome, TrustOutcome, permission_findings, trust_findings
from handlers.irsa.evidence import Evidence, OidcFacts, ServiceAccountFacts
from handlers.irsa.trust import DEFAULT_AUDIENCE


@dataclass(frozen=True)
class Analysis:
    findings: tuple[Finding, ...]
    headline: Msg
    trust: tuple[TrustOutcome, ...] = ()
    permission: PermissionOutcome | None = None

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def finding(self, code: str) -> Finding | None:
        return next((f for f in self.findings if f.code == code), None)


def _duration(seconds: float) -> Msg:
    days, hours, minutes = int(seconds // 86400), int(seconds % 86400 // 3600), int(seconds % 3600 // 60)
    if days:
        return Msg(f"{days}d {hours}h", f"{days}일 {hours}시간")
    if hours:
        return Msg(f"{hours}h {minutes}m", f"{hours}시간 {minutes}분")
    return Msg(f"{minutes}m", f"{minutes}분")


def ingress_findings(ev: Evidence) -> list[Finding]:
    ing = ev.ingress
    if ing is None:
        return []
    if not ing.exists:
        return [
            Finding(
                "irsa.ingress.gone",
                Severity.OK,
                Msg(
                    f"Ingress {ing.target} no longer exists", f"Ingress {attach(ing.target, '는')} 이미 삭제되었습니다"
                ),
                target=ing.target,
            )
        ]
    if not ing.deletion_timestamp:
        return [
            Finding(
                "irsa.ingress.not_deleting",
                Severity.INFO,
                Msg(
                    f"Ingress {ing.target} is not being deleted",
                    f"Ingress {attach(ing.target, '는')} 삭제 중이 아닙니다",
                ),
                target=ing.target,
            )
        ]
    age = _duration(ing.stuck_seconds)
    evidence = (
        Msg.same(f"deletionTimestamp {ing.deletion_timestamp}"),
        Msg(
            f"finalizers: {', '.join(ing.finalizers) or 'none'}",
            f"finalizer: {', '.join(ing.finalizers) or '없음'}",
        ),
        Msg(f"waiting for deletion for {age.en}", f"삭제 대기 {age.ko}"),
    )
    if ing.group:
        evidence += (
            Msg(
                f"member of IngressGroup {ing.group}: the controller reports on the group and on its other members",
                f"IngressGroup {ing.group}의 멤버: 컨트롤러는 이 그룹과 다른 멤버에 대해 보고합니다",
            ),
        )
    return [
        Finding(
            "irsa.ingress.stuck",
            Severity.ERROR,
            Msg(
                f"Ingress {ing.target} has been stuck deleting for {age.en}",
                f"Ingress {attach(ing.target, '가')} {age.ko}째 삭제되지 않고 있습니다",
            ),
            evidence,
            ing.target,
            data={"finalizers": list(ing.finalizers), "group": ing.group},
        )
    ]


def error_findings(ev: Evidence) -> list[Finding]:
    err = ev.main_error
    if err is None:
        if ev.ingress is not None and ev.ingress.deletion_timestamp:
            return [
                Finding(
                    "irsa.controller.no_error_seen",
                    Severity.INFO,
                    Msg(
                        "No AWS error in the ingress events or the controller's recent logs",
                        "Ingress 이벤트와 컨트롤러 최근 로그에 AWS 오류가 없습니다",
                    ),
                )
            ]
        return []
    what = f"{err.action} on {err.resource}" if err.resource else err.action
    group = ev.ingress.group if ev.ingress is not None and ev.ingress.deletion_timestamp else ""
    return [
        Finding(
            "irsa.controller.aws_error",
            Severity.WARNING,
            Msg(
                f"The controller reports {err.kind}: {what}" + (f" (IngressGroup {group})" if group else ""),
                f"컨트롤러 오류 ({err.kind}): {what}" + (f" (IngressGroup {group})" if group else ""),
            ),
            (Msg.same(f"{err.source}: {err.text[:400]}"),),
            err.role,
            data={"kind": err.kind, "role": err.role, "action": err.action, "resource": err.resource},
        )
    ]


def sa_findings(sa: ServiceAccountFacts) -> list[Finding]:
    t = sa.target
    if not sa.exists:
        return [
            Finding(
                "irsa.sa.missing",
                Severity.ERROR,
                Msg(f"Service account {t} does not exist", f"서비스 어카운트 {attach(t, '가')} 없습니다"),
                target=t,
            )
        ]
    if not sa.role_arn and sa.pod_identity_role:
        return [
            Finding(
                "irsa.sa.pod_identity",
                Severity.INFO,
                Msg(
                    f"{t} uses EKS Pod Identity with role {sa.pod_identity_role}",
                    f"{attach(t, '는')} EKS Pod Identity로 역할 {attach(sa.pod_identity_role, '를')} 사용합니다",
                ),
                target=t,
            )
        ]
    if not sa.role_arn:
        return [
            Finding(
                "irsa.sa.annotation_missing",
                Severity.ERROR,
                Msg(
                    f"Service account {t} has no eks.amazonaws.com/role-arn annotation",
                    f"서비스 어카운트 {t}에 eks.amazonaws.com/role-arn 어노테이션이 없습니다",
                ),
                target=t,
            )
        ]
    if sa.pods_without_identity:
        names = ", ".join(sa.pods_without_identity[:5])
        return [
            Finding(
                "irsa.sa.pods_without_identity",
                Severity.ERROR,
                Msg(
                    f"{len(sa.pods_without_identity)} pod(s) of {t} run without the web identity "
                    "(started before the annotation): restart them",
                    f"{t}의 파드 {len(sa.pods_without_identity)}개가 웹 아이덴티티 없이 실행 중입니다 "
                    "(어노테이션 이전에 시작됨): 재시작이 필요합니다",
                ),
                (Msg.same(names),),
                t,
                data={"pods": list(sa.pods_without_identity)},
            )
        ]
    return [
        Finding(
            "irsa.sa.ok",
            Severity.OK,
            Msg(
                f"{t} uses IRSA: role {sa.role_arn}, {sa.pods} pod(s) carry the web identity",
                f"{attach(t, '는')} IRSA 사용: 역할 {sa.role_arn}, 파드 {sa.pods}개에 웹 아이덴티티 주입됨",
            ),
            target=t,
        )
    ]


def oidc_findings(oidc: OidcFacts | None) -> list[Finding]:
    if oidc is None:
        return []
    if not oidc.issuer:
        return [
            Finding(
                "irsa.oidc.no_issuer",
                Severity.ERROR,
                Msg("The cluster has no OIDC issuer", "클러스터에 OIDC issuer 가 없습니다"),
            )
        ]
    if not oidc.provider_exists:
        others = (
            [
                Msg(
                    f"other providers in the account: {', '.join(oidc.other_providers)}",
                    f"계정의 다른 provider: {', '.join(oidc.other_providers)}",
                )
            ]
            if oidc.other_providers
            else []
        )
        return [
            Finding(
                "irsa.oidc.provider_missing",
                Severity.ERROR,
                Msg(
                    f"No IAM OIDC provider exists for the cluster's issuer {oidc.issuer}",
                    f"클러스터 issuer {oidc.issuer}에 대한 IAM OIDC provider 가 없습니다",
                ),
                (Msg.same(f"expected {oidc.provider_arn}"), *others),
                oidc.provider_arn,
                data={"issuer": oidc.issuer},
            )
        ]
    if DEFAULT_AUDIENCE not in oidc.client_ids:
        return [
            Finding(
                "irsa.oidc.audience_missing",
                Severity.ERROR,
                Msg(
                    f"The OIDC provider's audiences {list(oidc.client_ids)} lack {DEFAULT_AUDIENCE}",
                    f"OIDC provider의 audience {list(oidc.client_ids)}에 {attach(DEFAULT_AUDIENCE, '가')} 없습니다",
                ),
                target=oidc.provider_arn,
            )
        ]
    return [
        Finding(
            "irsa.oidc.ok",
            Severity.OK,
            Msg(
                f"IAM OIDC provider exists for {oidc.issuer}",
                f"{oidc.issuer}의 IAM OIDC provider 가 있습니다",
            ),
            target=oidc.provider_arn,
        )
    ]


def _headline(ev: Evidence, findings: list[Finding]) -> Msg:
    broken = [f for f in findings if f.severity == Severity.ERROR and not f.code.startswith("irsa.ingress.")]
    if broken:
        first = broken[0].title
        return Msg(f"Cause: {first.en}", f"원인: {first.ko}")
    if any(f.code == "irsa.ingress.gone" for f in findings):
        return findings[0].title
    if ev.role is None and not ev.service_accounts:
        return Msg("Could not find which role to check", "확인할 IAM 역할을 찾지 못했습니다")
    return Msg("Every link of the IAM/OIDC chain checks out", "IAM/OIDC 연결 고리가 모두 정상입니다")


def analyse(ev: Evidence) -> Analysis:
    """All findings for ``ev`` in chain order, and the headline naming the first broken link."""
    findings = ingress_findings(ev) + controller_findings(ev) + error_findings(ev) + decoded_findings(ev)
    findings += claim_findings(ev)
    for sa in ev.service_accounts:
        findings += sa_findings(sa)
    findings += oidc_findings(ev.oidc)
    trust_list, t_findings = trust_findings(ev)
    permission, p_findings = permission_findings(ev)
    findings += t_findings + p_findings
    findings += [Finding("irsa.collect.note", Severity.INFO, Msg.same(n)) for n in ev.notes]
    return Analysis(tuple(findings), _headline(ev, findings), tuple(trust_list), permission)
