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
from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.domain import Finding, FixPlan, Msg
from handlers.irsa.analyse import Analysis
from handlers.irsa.arn import role_name_from
from handlers.irsa.evidence import Evidence
from handlers.irsa.guardrails import role_refusal
from handlers.irsa.names import KIND, OP_OIDC, OP_RESTART, OP_SA_ROLE, OP_STATEMENT, OP_TAG, OP_TRUST
from handlers.irsa.plan_common import refused
from handlers.irsa.plan_identity import oidc_plans, sa_plans, trust_plans
from handlers.irsa.plan_permission import permission_plans, policy_name


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
    proposed_trust = trust_plans(ev, analysis, spec, out)
    trusted = {t.service_account.target for t in analysis.trust if t.code == "irsa.trust.ok"}
    trusted |= {
        t.service_account.target
        for t in analysis.trust
        if any(t.subject in json.dumps(p.steps[0].after) for p in proposed_trust)
    }
    plans = (
        oidc_plans(ev, analysis, spec)
        + proposed_trust
        + sa_plans(ev, analysis, now, spec, out, trusted)
        + permission_plans(ev, analysis, cluster or ev.cluster, spec, out)
    )
    kept = []
    for plan in plans:
        reasons = [r for r in (role_refusal(name, role_patterns) for name in _roles_in(plan)) if r]
        if reasons:
            out.append(
                refused(
                    Msg(
                        f"Not proposing: {plan.title.en} ({reasons[0]})",
                        f"제안하지 않음: {plan.title.ko} (허용 목록 밖의 역할)",
                    ),
                    reasons[0],
                    ev.role.arn if ev.role is not None else "",
                )
            )
        else:
            kept.append(plan)
    return tuple(kept), tuple(out)


__all__ = [
    "KIND",
    "OP_OIDC",
    "OP_RESTART",
    "OP_SA_ROLE",
    "OP_STATEMENT",
    "OP_TAG",
    "OP_TRUST",
    "plan_fix",
    "policy_name",
]
