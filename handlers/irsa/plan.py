"""Turn the broken links of an ``Analysis`` into fix plans with readable before/after. Pure.

Called by ``diagnoser`` after ``analyse``. Every link gets a plan of its own, so a change that
widens who may use a role is never bundled with one that does not:

* the IAM OIDC provider for the cluster's issuer (HIGH);
* a trust-policy edit per namespace: it adds exactly the service accounts live state shows using
  the role (the controller's own, on the ingress path), and only ``sts.amazonaws.com`` as an
  audience (HIGH; a namespace the role never trusted before is named in the plan's title);
* a service-account annotation, only with a role whose trust policy already admits that account
  (HIGH when the role trusts other accounts too, else MEDIUM);
* a restart of workloads whose pods started before their annotation (MEDIUM);
* a permission fix: the ``elbv2.k8s.aws/cluster`` tag on the ingress's own load balancer, or a
  grant bounded by the component's reference policy (``grants``), never what an error names
  (HIGH).

Links that need a human (an explicit Deny, a permissions boundary, a trust policy that does not
trust this cluster's provider at all, a role without a reference policy) become findings instead.
Plans on roles outside the allow-list are dropped and reported as ``irsa.plan.refused``, and
every trust edit passes ``guardrails.check_trust_change`` before it is proposed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.domain import Finding, FixPlan, Msg, PlanStep, Risk, Severity
from handlers.irsa.analyse import Analysis
from handlers.irsa.analyse_iam import TrustOutcome
from handlers.irsa.arn import parse_subject, role_name_from, sa_subject
from handlers.irsa.evidence import CLUSTER_TAG, Evidence, LoadBalancerFacts, ServiceAccountFacts
from handlers.irsa.grants import reference, reference_grant
from handlers.irsa.guardrails import check_trust_change, role_refusal
from handlers.irsa.names import KIND, OP_OIDC, OP_RESTART, OP_SA_ROLE, OP_STATEMENT, OP_TAG, OP_TRUST
from handlers.irsa.plan_k8s import annotate_step, restart_step
from handlers.irsa.trust import DEFAULT_AUDIENCE, evaluate_trust, statements_of
from handlers.irsa.trust_edit import add_audience, add_subjects

_POLICY_NAME_CHARS = re.compile(r"[^\w+=,.@-]", re.ASCII)
# Tags the controller (v2 and v1) puts on a load balancer it made for an ingress or a group.
STACK_TAG = "ingress.k8s.aws/stack"
V1_NAME_TAG, V1_NAMESPACE_TAG = "kubernetes.io/ingress-name", "kubernetes.io/namespace"


def _manual(text: Msg) -> Finding:
    return Finding("irsa.plan.manual", Severity.WARNING, text)


def _refused(text: Msg, reason: str, target: str) -> Finding:
    return Finding("irsa.plan.refused", Severity.WARNING, text, (Msg.same(reason),), target)


def policy_name(component: str, action: str) -> str:
    """A valid inline policy name (``[\\w+=,.@-]{1,128}``, IAM API reference, PutRolePolicy)."""
    name = f"chatops-{component}-{action.split(':')[-1]}"
    return _POLICY_NAME_CHARS.sub("-", name)[:128]


def _plan(title: Msg, steps: Sequence[PlanStep], ev: Evidence, verify: Mapping[str, Any]) -> FixPlan:
    risk = Risk.highest(s.risk for s in steps)
    return FixPlan(KIND, title, tuple(steps), risk, ev.target, verify=dict(verify))


# --- the OIDC provider -----------------------------------------------------------------------------

def _oidc_plans(ev: Evidence, analysis: Analysis, verify: Mapping[str, Any]) -> list[FixPlan]:
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
            f"{ev.oidc.issuer} 에 대한 IAM OIDC provider 생성 (audience {DEFAULT_AUDIENCE}, "
            "인증서는 IAM 의 신뢰 CA 목록으로 확인하므로 thumbprint 지정 없음)",
        ),
        Risk.HIGH,
    )
    return [_plan(step.description, [step], ev, verify)]


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
        out.append(_refused(
            Msg(f"Not proposing: {role.name} is the AWS Load Balancer Controller's role ({where}); "
                f"the bot adds only the controller's own service account, not {sa.target}",
                f"제안하지 않음: {role.name} 는 AWS Load Balancer Controller({where}) 의 역할입니다. "
                f"봇은 컨트롤러 자신의 서비스 어카운트만 추가하며 {sa.target} 는 추가하지 않습니다"),
            "privileged role", role.arn))
        return False
    if ev.ingress is None and not _in_use(sa):
        out.append(_manual(
            Msg(f"No pod or workload uses service account {sa.target}; the bot will not extend "
                f"{role.name}'s trust policy for it",
                f"서비스 어카운트 {sa.target} 를 쓰는 파드나 워크로드가 없어 {role.name} 신뢰 정책을 "
                "확장하지 않습니다")))
        return False
    return True


def _trust_plan(ev: Evidence, namespace: str, outcomes: list[TrustOutcome], new_namespace: bool,
                verify: Mapping[str, Any], out: list[Finding]) -> FixPlan | None:
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
        out.append(_manual(Msg(
            f"No statement of {role.name}'s trust policy can be extended to admit {', '.join(subjects)}",
            f"{role.name} 의 신뢰 정책에서 {', '.join(subjects)} 를 추가할 수 있는 문장이 없습니다")))
        return None
    problems = check_trust_change(role.trust, after)
    if problems:
        out.append(Finding(
            "irsa.plan.refused", Severity.WARNING,
            Msg("Trust policy change refused by the guardrail", "가드레일이 신뢰 정책 변경을 거부했습니다"),
            tuple(Msg.same(p) for p in problems), role.arn))
        return None
    added = ", ".join(f'"{s}"' for s in subjects)
    step = PlanStep(
        OP_TRUST, {"role_name": role.name}, dict(role.trust or {}), after,
        Msg(f"Trust policy of {role.name}: add subject {added}",
            f"{role.name} 신뢰 정책에 주체 추가: {added}"),
        Risk.HIGH,
    )
    accounts = ", ".join(t.service_account.name for t in outcomes)
    if new_namespace:
        title = Msg(
            f"Let namespace {namespace} ({accounts}) assume {role.name}: a namespace its trust policy "
            "has not trusted before",
            f"네임스페이스 {namespace} ({accounts}) 가 {role.name} 를 사용하도록 허용: 지금까지 신뢰 정책에 "
            "없던 네임스페이스입니다",
        )
    else:
        title = Msg(f"Let {namespace}/{accounts} assume {role.name}",
                    f"{namespace}/{accounts} 가 {role.name} 를 사용하도록 허용")
    return _plan(title, [step], ev, verify)


def _trust_plans(ev: Evidence, analysis: Analysis, verify: Mapping[str, Any], out: list[Finding]) -> list[FixPlan]:
    role = ev.role
    if role is None or not role.exists or ev.oidc is None:
        return []
    by_namespace: dict[str, list[TrustOutcome]] = {}
    for t in analysis.trust:
        if t.code in ("irsa.trust.sub_missing", "irsa.trust.aud_mismatch"):
            if _eligible(ev, t, out):
                by_namespace.setdefault(t.service_account.namespace, []).append(t)
        elif t.code in ("irsa.trust.provider_mismatch", "irsa.trust.explicit_deny",
                        "irsa.trust.condition_failed", "irsa.trust.pod_identity_denied"):
            out.append(_manual(Msg(
                f"{role.name}'s trust policy needs a human decision ({t.code}): the bot never "
                "adds a principal or a statement to a trust policy",
                f"{role.name} 신뢰 정책은 사람이 결정해야 합니다 ({t.code}): 봇은 신뢰 정책에 "
                "주체나 문장을 추가하지 않습니다")))
    known = trusted_namespaces(role.trust, ev.oidc.provider_arn)
    plans = []
    for namespace, outcomes in by_namespace.items():
        plan = _trust_plan(ev, namespace, outcomes, namespace not in known, verify, out)
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


def _sa_plans(ev: Evidence, analysis: Analysis, now: datetime, verify: Mapping[str, Any],
              out: list[Finding], trusted: set[str]) -> list[FixPlan]:
    """Annotation and restart plans; a restart only for accounts the role trusts (or will trust)."""
    plans: list[FixPlan] = []
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    role = ev.role
    for sa in ev.service_accounts:
        codes = [f.code for f in analysis.findings if f.target == sa.target and f.code.startswith("irsa.sa.")]
        if not sa.exists or not codes:
            continue
        if codes[0] == "irsa.sa.annotation_missing":
            plan = _annotation_plan(ev, sa, stamp, verify, out)
            if plan is not None:
                plans.append(plan)
        elif codes[0] == "irsa.sa.pods_without_identity" and sa.workloads and sa.target in trusted:
            steps = [restart_step(w.kind, w.namespace, w.name, w.restarted_at, stamp) for w in sa.workloads]
            names = ", ".join(f"{w.kind}/{w.name}" for w in sa.workloads)
            plans.append(_plan(Msg(f"Restart {names} in {sa.namespace} so its pods get the web identity",
                                   f"{sa.namespace} 의 {names} 재시작 (파드에 웹 아이덴티티 주입)"), steps, ev, verify))
    if "irsa.sa.annotation_missing" in analysis.codes() and (role is None or not role.exists):
        out.append(_manual(Msg("The service account has no role annotation and no role could be inferred",
                               "서비스 어카운트에 역할 어노테이션이 없고 사용할 역할도 알 수 없습니다")))
    return plans


def _annotation_plan(ev: Evidence, sa: ServiceAccountFacts, stamp: str, verify: Mapping[str, Any],
                     out: list[Finding]) -> FixPlan | None:
    role, oidc = ev.role, ev.oidc
    if role is None or not role.exists or oidc is None:
        return None
    if not evaluate_trust(role.trust, sa_subject(sa.namespace, sa.name), provider=oidc.provider_arn).admitted:
        out.append(_manual(Msg(
            f"Role {role.name} (named in the error) does not trust {sa.target}; the bot will not "
            "annotate the service account with it",
            f"역할 {role.name} (오류에 나온 역할) 의 신뢰 정책이 {sa.target} 를 허용하지 않으므로 "
            "서비스 어카운트에 이 역할을 지정하지 않습니다")))
        return None
    shared = _other_subjects(ev, sa)
    step = annotate_step(sa, role.arn, stamp, Risk.HIGH if shared else Risk.MEDIUM)
    if shared:
        title = Msg(f"Give namespace {sa.namespace}'s {sa.name} the role {role.name}, which other "
                    "service accounts use too",
                    f"네임스페이스 {sa.namespace} 의 {sa.name} 에 다른 서비스 어카운트도 쓰는 역할 {role.name} 지정")
    else:
        title = step.description
    return _plan(title, [step], ev, verify)


# --- permissions -----------------------------------------------------------------------------------

def belongs_to_ingress(lb: LoadBalancerFacts, namespace: str, name: str) -> bool:
    """Do the load balancer's own tags say the controller made it for this ingress?"""
    tags = lb.tags
    if tags.get(STACK_TAG) == f"{namespace}/{name}":
        return True
    return tags.get(V1_NAME_TAG) == name and tags.get(V1_NAMESPACE_TAG) == namespace


def _tag_plan(ev: Evidence, cluster: str, verify: Mapping[str, Any], out: list[Finding]) -> list[FixPlan]:
    lb, ing = ev.load_balancer, ev.ingress
    if lb is not None and ev.load_balancer_source == "named":
        out.append(_refused(
            Msg(f"Not tagging {lb.name}: it is named in the error, not the load balancer of a stuck ingress "
                "(ask with `/ops ingress NAMESPACE/NAME` for the ingress that uses it)",
                f"{lb.name} 에 태그를 달지 않음: 오류에 나온 로드밸런서일 뿐 삭제가 막힌 Ingress 의 로드밸런서가 "
                "아닙니다 (`/ops ingress NAMESPACE/NAME` 으로 해당 Ingress 를 진단하세요)"),
            "named in pasted text", lb.arn))
        return []
    if lb is None or ing is None or ev.load_balancer_source != "ingress" or not cluster:
        return []
    if not belongs_to_ingress(lb, ing.namespace, ing.name):
        out.append(_refused(
            Msg(f"Not tagging {lb.name}: its tags do not say it was made for ingress {ing.target}",
                f"{lb.name} 에 태그를 달지 않음: 태그상 Ingress {ing.target} 용 로드밸런서가 아닙니다"),
            f"tags: {dict(lb.tags)}", lb.arn))
        return []
    step = PlanStep(
        OP_TAG, {"arn": lb.arn, "key": CLUSTER_TAG}, {"key": CLUSTER_TAG, "value": None},
        {"key": CLUSTER_TAG, "value": cluster},
        Msg(f"Tag load balancer {lb.name} with {CLUSTER_TAG}={cluster} (the controller's policy lets it "
            "modify and delete only load balancers with this tag)",
            f"로드밸런서 {lb.name} 에 태그 {CLUSTER_TAG}={cluster} 추가 (컨트롤러 정책은 이 태그가 있는 "
            "로드밸런서만 수정·삭제할 수 있게 합니다)"),
        Risk.HIGH,
    )
    return [_plan(step.description, [step], ev, verify)]


def _grant_plan(ev: Evidence, verify: Mapping[str, Any], out: list[Finding]) -> list[FixPlan]:
    role = ev.role
    assert role is not None
    if not ev.component:
        out.append(_manual(Msg(
            f"{role.name} lacks {ev.action}, but the bot knows no reference policy for what uses this role, "
            "so it grants nothing by itself: a human must decide",
            f"{role.name} 에 {ev.action} 권한이 없지만, 이 역할을 쓰는 구성 요소의 기준 정책을 알지 못해 "
            "봇이 권한을 부여하지 않습니다: 사람이 결정해야 합니다")))
        return []
    doc = reference_grant(ev.component, ev.partition, ev.action)
    ref = reference(ev.component, ev.partition)
    if doc is None or ref is None:
        out.append(_manual(Msg(
            f"The official {ev.component} policy does not grant {ev.action}; the bot will not grant it",
            f"공식 {ev.component} 정책에는 {ev.action} 가 없으므로 봇이 부여하지 않습니다")))
        return []
    name = policy_name(ev.component, ev.action)
    step = PlanStep(
        OP_STATEMENT, {"role_name": role.name, "policy_name": name}, None, doc,
        Msg(f"Add inline policy {name} to {role.name}: {ev.action} exactly as the official {ev.component} "
            f"policy grants it ({ref.source}, last changed {ref.last_changed})",
            f"{role.name} 에 인라인 정책 {name} 추가: 공식 {ev.component} 정책과 같은 범위로 {ev.action} 허용 "
            f"({ref.source}, {ref.last_changed} 변경)"),
        Risk.HIGH,
    )
    return [_plan(step.description, [step], ev, verify)]


def _permission_plans(ev: Evidence, analysis: Analysis, cluster: str, verify: Mapping[str, Any],
                      out: list[Finding]) -> list[FixPlan]:
    perm = analysis.permission
    if perm is None or ev.role is None:
        return []
    codes = analysis.codes()
    if "irsa.permission.tag_missing" in codes and CLUSTER_TAG in perm.missing_tags:
        return _tag_plan(ev, cluster, verify, out)
    if "irsa.permission.missing" in codes or "irsa.permission.tag_missing" in codes:
        return _grant_plan(ev, verify, out)
    if any(c in codes for c in ("irsa.permission.explicit_deny", "irsa.permission.boundary_denies")):
        out.append(_manual(Msg(
            "An explicit Deny or the permissions boundary blocks the action: removing it is a "
            "security decision the bot leaves to a human",
            "명시적 Deny 또는 권한 경계가 작업을 막고 있습니다: 제거 여부는 보안 판단이므로 사람이 결정해야 합니다")))
    return []


# --- all of it -------------------------------------------------------------------------------------

def _roles_in(plan: FixPlan) -> list[str]:
    names = []
    for step in plan.steps:
        if step.op in (OP_TRUST, OP_STATEMENT):
            names.append(str(step.params["role_name"]))
        if step.op == OP_SA_ROLE and isinstance(step.after, Mapping) and step.after.get("role_arn"):
            names.append(role_name_from(str(step.after["role_arn"])))
    return names


def plan_fix(
    ev: Evidence,
    analysis: Analysis,
    role_patterns: Sequence[str],
    now: datetime,
    cluster: str = "",
    verify: dict | None = None,
) -> tuple[tuple[FixPlan, ...], tuple[Finding, ...]]:
    """One plan per fixable broken link, plus findings about what was refused or left manual."""
    out: list[Finding] = []
    spec = dict(verify or {})
    trust_plans = _trust_plans(ev, analysis, spec, out)
    trusted = {t.service_account.target for t in analysis.trust if t.code == "irsa.trust.ok"}
    trusted |= {t.service_account.target for t in analysis.trust
                if any(t.subject in json.dumps(p.steps[0].after) for p in trust_plans)}
    plans = (_oidc_plans(ev, analysis, spec) + trust_plans
             + _sa_plans(ev, analysis, now, spec, out, trusted)
             + _permission_plans(ev, analysis, cluster or ev.cluster, spec, out))
    kept = []
    for plan in plans:
        reasons = [r for r in (role_refusal(name, role_patterns) for name in _roles_in(plan)) if r]
        if reasons:
            out.append(_refused(
                Msg(f"Not proposing: {plan.title.en} ({reasons[0]})",
                    f"제안하지 않음: {plan.title.ko} (허용 목록 밖의 역할)"),
                reasons[0], ev.role.arn if ev.role is not None else ""))
        else:
            kept.append(plan)
    return tuple(kept), tuple(out)


__all__ = ["KIND", "OP_OIDC", "OP_RESTART", "OP_SA_ROLE", "OP_STATEMENT", "OP_TAG", "OP_TRUST", "plan_fix"]
