"""The plan that undoes an applied one: each step's inverse, last step first, proposed as a new plan
that needs approval like any other (``PlanService.propose_revert`` checks who may ask and that no
other revert is open).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.domain import AuditKind, Diagnosis, Msg, PlanStatus, PlanStep
from bot.korean import attach
from bot.services.core import Services, msg_from, msg_to_dict, step_from, step_to_dict
from bot.services.risk import approvals_recorded_plan_needs
from bot.store.records import PlanRecord, RequestRecord


def inverse_steps(plan: PlanRecord, operation: Callable[[str], Any]) -> list[PlanStep] | Msg:
    """The steps that undo ``plan``, last step first, from what applying each one produced; or why
    one of them cannot be undone."""
    observed = (plan.result or {}).get("observed", [None] * len(plan.steps))
    inverse = []
    for raw, seen in zip(reversed(plan.steps), reversed(observed), strict=False):
        step = step_from(raw)
        try:
            undo = operation(step.op).revert(step, seen)
        except KeyError:
            undo = None
        if undo is None:
            return Msg(
                f"Step `{step.op}` cannot be undone automatically.",
                f"`{step.op}` 단계는 자동으로 되돌릴 수 없습니다.",
            )
        inverse.append(undo)
    return inverse


def propose_inverse(
    svc: Services, plan: PlanRecord, req: RequestRecord | None, user: str, inverse: list[PlanStep]
) -> PlanRecord:
    """Record the revert plan with its audit row and the request open again, in one transaction, then
    post it in the thread with its buttons."""
    now = svc.clock()
    title = msg_from(plan.title)
    with svc.repo.unit() as uow:
        row = svc.repo.add_plan(
            request_id=plan.request_id,
            kind=plan.kind,
            title=msg_to_dict(Msg(f"Revert: {title.en}", f"되돌리기: {title.ko}")),
            target=plan.target,
            risk=plan.risk,
            status=PlanStatus.PROPOSED,
            steps=[step_to_dict(s) for s in inverse],
            verify={},
            requested_by=user,
            created_at=now,
            expires_at=now + timedelta(minutes=svc.settings.plan_ttl_minutes),
            approvals_needed=approvals_recorded_plan_needs(plan),
            message_ts="",
            reverts_plan_id=plan.id,
            version=0,
        )
        svc.audit(
            AuditKind.PLAN_PROPOSED,
            user,
            f"revert of plan #{plan.id} proposed as #{row.id}",
            req,
            row,
            before=[s.before for s in inverse],
            after=[s.after for s in inverse],
        )
        svc.repo.update_request(plan.request_id, state="open")
        uow.commit()
    ts = svc.thread.diagnosis(req, _revert_diagnosis(plan, row), [row])
    if ts:
        svc.repo.set_plan_fields(row.id, message_ts=ts[0])
    return row


def _revert_diagnosis(plan: PlanRecord, revert_row: PlanRecord) -> Diagnosis:
    headline = Msg(
        f"Revert of plan #{plan.id} proposed as plan #{revert_row.id}",
        f"계획 #{plan.id} 되돌리기를 계획 #{attach(revert_row.id, '로')} 제안합니다",
    )
    return Diagnosis(plan.kind, plan.target, headline)
