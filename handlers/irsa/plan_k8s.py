"""Plan steps on the Kubernetes side of IRSA: annotate a service account, restart workloads. Pure.

Called by ``plan.plan_fix``. Annotating a service account and restarting the workloads that
use it is one step (``k8s.set_service_account_role``) so that undoing it also restarts them
after the annotation is restored; a restart alone (pods started before the annotation) is
``k8s.rollout_restart``, which cannot be undone. A rollout restart is what ``kubectl rollout
restart`` does: a new ``kubectl.kubernetes.io/restartedAt`` pod-template annotation.
"""

from __future__ import annotations

from bot.domain import Msg, PlanStep, Risk
from handlers.irsa.evidence import ServiceAccountFacts
from handlers.irsa.names import OP_RESTART, OP_SA_ROLE


def restart_step(kind: str, namespace: str, name: str, restarted_at: str, stamp: str) -> PlanStep:
    return PlanStep(
        OP_RESTART,
        {"namespace": namespace, "kind": kind, "name": name},
        {"restarted_at": restarted_at or None},
        {"restarted_at": stamp},
        Msg(
            f"Restart {kind} {namespace}/{name} so its pods get the web identity",
            f"{kind} {namespace}/{name} 재시작 (파드에 웹 아이덴티티 주입)",
        ),
        Risk.MEDIUM,
    )


def annotate_step(sa: ServiceAccountFacts, arn: str, stamp: str, risk: Risk = Risk.MEDIUM) -> PlanStep:
    workloads = [[w.kind, w.name] for w in sa.workloads]
    names = ", ".join(f"{k}/{n}" for k, n in workloads)
    en, ko = names or "no workload", names or "워크로드 없음"
    return PlanStep(
        OP_SA_ROLE,
        {"namespace": sa.namespace, "name": sa.name, "workloads": workloads},
        {
            "role_arn": sa.role_arn or None,
            "restarted_at": {f"{w.kind}/{w.name}": w.restarted_at or None for w in sa.workloads},
        },
        {"role_arn": arn, "restarted_at": {f"{w.kind}/{w.name}": stamp for w in sa.workloads}},
        Msg(
            f"Annotate service account {sa.target} with {arn} and restart {en}",
            f"서비스 어카운트 {sa.target}에 {arn} 어노테이션 후 {ko} 재시작",
        ),
        risk,
    )
