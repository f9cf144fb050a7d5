"""Plans that undo applied steps, proposed as new plans that need approval like any other.

``propose_inverse`` records and posts one; it serves the Revert button (``propose_revert_of``, after
``PlanService.propose_revert`` checked who may ask and that no other revert is open) and the
reconciler's undo of steps an interrupted apply left behind (``bot.services.reconcile``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
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
    svc: Services,
    plan: PlanRecord,
    inverse: Sequence[PlanStep],
    *,
    req: RequestRecord | None,
    requested_by: str,
    actor: str,
    title: Msg,
    headline: Callable[[int], Msg],
) -> PlanRecord:
    """Store ``inverse`` as a proposed plan undoing ``plan`` and post it with its buttons.

    It needs approval like any plan: the same risk and number of approvers as ``plan``.
    ``headline(new_plan_id)`` is the line posted above it (and the audit row's summary); ``req`` is
    ``plan``'s request, which every caller has read already. The plan, its audit row and the request
    open again commit in one unit of work, before the thread is told.
    """
    now = svc.clock()
    with svc.repo.unit() as uow:
        row = svc.repo.add_plan(
            request_id=plan.request_id,
            kind=plan.kind,
            title=msg_to_dict(title),
            target=plan.target,
            risk=plan.risk,
            status=PlanStatus.PROPOSED,
            steps=[step_to_dict(s) for s in inverse],
            verify={},
            requested_by=requested_by,
            created_at=now,
            expires_at=now + timedelta(minutes=svc.settings.plan_ttl_minutes),
            approvals_needed=approvals_recorded_plan_needs(plan),
            message_ts="",
            reverts_plan_id=plan.id,
            version=0,
        )
        said = headline(row.id)
        svc.audit(
            AuditKind.PLAN_PROPOSED,
            actor,
            said.en,
            req,
            row,
            before=[s.before for s in inverse],
            after=[s.after for s in inverse],
        )
        svc.repo.update_request(plan.request_id, state="open")
        uow.commit()
    ts = svc.thread.diagnosis(req, Diagnosis(plan.kind, plan.target, said), [row])
    if ts:
        svc.repo.set_plan_fields(row.id, message_ts=ts[0])
        row = replace(row, message_ts=ts[0])
    return row


def propose_revert_of(
    svc: Services, plan: PlanRecord, req: RequestRecord | None, user: str, inverse: Sequence[PlanStep]
) -> PlanRecord:
    """The revert a person asked for: every step of an applied plan undone, as a plan to approve."""
    title = msg_from(plan.title)
    return propose_inverse(
        svc,
        plan,
        inverse,
        req=req,
        requested_by=user,
        actor=user,
        title=Msg(f"Revert: {title.en}", f"되돌리기: {title.ko}"),
        headline=lambda new_id: Msg(
            f"Revert of plan #{plan.id} proposed as plan #{new_id}",
            f"계획 #{plan.id} 되돌리기를 계획 #{attach(new_id, '로')} 제안합니다",
        ),
    )
