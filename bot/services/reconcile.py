"""Settling plans a dead replica left in ``applying``, step by step from live state.

Called through ``ApplyService.reconcile_applying`` (at start-up, ``bot.services.startup``, and by the
scheduler). ``ApplyService`` commits an intent row (``step_runs``) before each step's write and the
outcome after it; a replica killed in between leaves the intent. For each step the live state is
read and compared with its ``before`` and ``after``: applied, not applied or unknown. Each step is
recorded and audited, the thread is told, and when only some steps the bot wrote are live a plan
undoing them is proposed (approved like any plan).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.domain import AuditKind, Msg, PlanStatus, PlanStep
from bot.korean import attach
from bot.services.core import jsonable, msg_from, same_state, step_from
from bot.services.reverts import propose_inverse
from bot.store.records import PlanRecord, RequestRecord

if TYPE_CHECKING:
    from bot.services.apply import ApplyService

log = logging.getLogger(__name__)

APPLIED, NOT_APPLIED, UNKNOWN = "applied", "not_applied", "unknown"


@dataclass(frozen=True)
class StepTruth:
    """What reconciliation found for one step: ``verdict`` is applied, not_applied or unknown."""

    index: int
    step: PlanStep
    verdict: str
    live: Any = None
    error: str = ""
    started: bool = False  # an intent row exists: the bot may have written this step

    def words(self) -> Msg:
        if self.verdict == APPLIED:
            return Msg("applied (live as planned)", "적용됨 (계획대로 반영됨)")
        if self.verdict == NOT_APPLIED:
            return Msg("not applied (still as before)", "적용 안 됨 (이전 상태 그대로)")
        if self.error:
            return Msg(
                f"unknown (could not read it: {self.error[:200]})", f"알 수 없음 (읽지 못함: {self.error[:200]})"
            )
        return Msg(
            "unknown (live state matches neither the plan nor the state before)",
            "알 수 없음 (실제 상태가 계획과도 이전 상태와도 다름)",
        )


class Reconciler:
    def __init__(self, applier: ApplyService):
        self.applier = applier
        self.svc = applier.svc

    def reconcile_applying(self, older_than: timedelta | None = None) -> int:
        """Settle plans a dead replica left in ``applying``, step by step from live state.

        For each step the live state is read and compared with its ``before`` and ``after``: applied,
        not applied, or unknown (matches neither, or could not be read). A step whose intent row has no
        outcome (killed between the write and its record) is decided by its live state like any other.
        The plan is marked applied when every step is live as planned, otherwise failed, with the
        per-step truth in ``result``; each step is audited and recorded in ``step_runs``, the thread is
        told, and when some steps the bot wrote are live an undo plan for them is proposed.

        ``older_than`` leaves alone plans approved more recently (a live replica may be applying them).
        """
        svc = self.svc
        count = 0
        cutoff = svc.clock() - older_than if older_than is not None else None
        for plan in svc.repo.plans_with_status(PlanStatus.APPLYING):
            if cutoff is not None and (plan.decided_at or plan.created_at) > cutoff:
                continue
            try:
                settled = self._reconcile(plan)
            except Exception:  # one plan's trouble must not keep the others (or the start-up) from settling
                log.exception("reconciliation failed", extra={"plan_id": plan.id})
                continue
            count += settled
        return count

    def reconcile_plan(self, plan_id: int) -> bool:
        """Settle one plan left in ``applying`` by an apply known to have stopped (its job's worker
        is gone: the lease lapsed); False when it is not in ``applying`` (settled already)."""
        plan = self.svc.repo.get_plan(plan_id)
        if plan is None or plan.status != PlanStatus.APPLYING:
            return False
        return self._reconcile(plan)

    def _truths(self, plan: PlanRecord, req: RequestRecord) -> list[StepTruth]:
        steps = [step_from(s) for s in plan.steps]
        started = {r.step_index for r in self.svc.repo.step_runs(plan.id) if r.started_at is not None}
        try:
            ctx = self.svc.context(req.cluster, "reconciler")
        except Exception as exc:  # noqa: BLE001 - every step is then unknown, and says why
            return [StepTruth(i, s, UNKNOWN, error=str(exc), started=i in started) for i, s in enumerate(steps)]
        out = []
        for index, step in enumerate(steps):
            try:
                live = live_state(self.applier.operation(step.op), ctx, step)
            except Exception as exc:  # noqa: BLE001
                out.append(StepTruth(index, step, UNKNOWN, error=str(exc), started=index in started))
                continue
            out.append(StepTruth(index, step, verdict_of(steps, index, live), live, started=index in started))
        return out

    def _reconcile(self, plan: PlanRecord) -> bool:
        svc = self.svc
        req = svc.repo.get_request(plan.request_id)
        truths = self._truths(plan, req)
        done = all(t.verdict == APPLIED for t in truths)
        reason = "live state matches the plan" if done else "live state does not match the plan"
        per_step = [
            {
                "step": t.index + 1,
                "op": t.step.op,
                "verdict": t.verdict,
                "live": t.live,
                "error": t.error,
                "started": t.started,
            }
            for t in truths
        ]
        result: dict[str, Any] = {"reconciled": True, "reason": reason, "steps": per_step}
        if done:
            result["observed"] = [t.live for t in truths]
        target = PlanStatus.APPLIED if done else PlanStatus.FAILED
        settled = svc.repo.transition(plan.id, PlanStatus.APPLYING, target, svc.clock(), result=result)
        if settled is None:
            return False  # another replica settled it
        plan = settled
        now = svc.clock()
        for t in truths:
            svc.repo.record_reconciled(plan.id, t.index, plan.steps[t.index], t.verdict, t.live, now, t.error)
            words = t.words().en
            svc.audit(
                AuditKind.APPLIED if t.verdict == APPLIED else AuditKind.FAILED,
                "reconciler",
                f"plan #{plan.id} was interrupted while applying; step {t.index + 1}/{len(truths)} "
                f"({t.step.description.en}): {words}; {_step_reason(t)}",
                req,
                plan,
                before=t.step.before,
                after=t.live if not t.error else {"error": t.error},
            )
        undo, undo_note = self._undo_steps(truths) if not done else ([], None)
        detail = _reconcile_message(truths, undo_note)
        reversible = (
            done
            and not plan.reverts_plan_id
            and all(getattr(self.applier.operation(t.step.op), "reversible", False) for t in truths)
        )
        svc.thread.plan_changed(
            req, plan, "applied" if done else "failed", detail, {"verified": done, "reversible": reversible}
        )
        svc.thread.status(req, "applied" if done else "failed", detail)
        if done:
            self.applier.mark_reverted(plan, req, "reconciler")
        if undo:
            self._propose_undo(plan, req, truths, undo)
        svc.repo.settle_request(req.id)
        return True

    def _undo_steps(self, truths: list[StepTruth]) -> tuple[list[PlanStep], Msg | None]:
        """The steps undoing what the bot wrote and is live now (last first), and what to tell the thread."""
        written = [
            t for t in truths if t.verdict == APPLIED and t.started and not same_state(t.step.before, t.step.after)
        ]
        if not written:
            return [], None
        inverse, stuck = [], []
        for t in reversed(written):
            try:
                undo = self.applier.operation(t.step.op).revert(t.step, t.live)
            except KeyError:
                undo = None
            if undo is None:
                stuck.append(t.index + 1)
            else:
                inverse.append(undo)
        numbers = _numbers(written)
        if stuck:
            which = ", ".join(str(n) for n in sorted(stuck))
            return [], Msg(
                f"Step(s) {which} cannot be undone automatically, so no undo plan is proposed; "
                "an engineer has to restore by hand what the bot applied.",
                f"{which}단계는 자동으로 되돌릴 수 없어 되돌리기 계획을 제안하지 않습니다. "
                "봇이 적용한 것을 직접 복구해야 합니다.",
            )
        return inverse, Msg(
            f"An undo plan for step(s) {numbers} follows; it needs approval like any plan.",
            f"{numbers}단계를 되돌리는 계획을 아래에 제안합니다. 다른 계획처럼 승인이 필요합니다.",
        )

    def _propose_undo(
        self, plan: PlanRecord, req: RequestRecord, truths: list[StepTruth], inverse: list[PlanStep]
    ) -> PlanRecord:
        numbers = _numbers([t for t in truths if t.verdict == APPLIED and t.started])
        title = msg_from(plan.title)
        row = propose_inverse(
            self.svc,
            plan,
            inverse,
            req=req,
            requested_by=plan.requested_by,
            actor="reconciler",
            title=Msg(f"Undo: {title.en}", f"되돌리기: {title.ko}"),
            headline=lambda new_id: Msg(
                f"Undo of step(s) {numbers} of plan #{plan.id} (applied before the bot restarted) "
                f"proposed as plan #{new_id}",
                f"계획 #{plan.id}의 {numbers}단계(재시작 전에 적용됨) 되돌리기를 계획 #{attach(new_id, '로')} "
                f"제안합니다",
            ),
        )
        self.svc.repo.set_plan_fields(plan.id, result={**(plan.result or {}), "undo_plan_id": row.id})
        return row


def _numbers(truths: Sequence[StepTruth]) -> str:
    return ", ".join(str(t.index + 1) for t in truths)


def _same_object(a: PlanStep, b: PlanStep) -> bool:
    return a.op == b.op and jsonable(dict(a.params)) == jsonable(dict(b.params))


def live_state(op: Any, ctx: Any, step: PlanStep) -> Any:
    """The live state of ``step``'s object as plain JSON.

    An operation whose live state depends on what the step recorded (a deleted pod is told from
    its replacement by the uid in ``before``) offers ``read_step(ctx, step)``; others ``read``.
    """
    read_step = getattr(op, "read_step", None)
    return jsonable(read_step(ctx, step) if read_step is not None else op.read(ctx, step.params))


def verdict_of(steps: list[PlanStep], index: int, live: Any) -> str:
    """Applied, not applied or unknown, from the live state of step ``index``.

    A later step on the same object starts from what this one writes, so live state equal to a
    later step's ``before`` or ``after`` means this step was applied too.
    """
    step = steps[index]
    if same_state(live, step.after):
        return APPLIED
    if same_state(live, step.before):
        return NOT_APPLIED
    later = [s for s in steps[index + 1 :] if _same_object(s, step)]
    if any(same_state(live, s.before) or same_state(live, s.after) for s in later):
        return APPLIED
    return UNKNOWN


def _step_reason(t: StepTruth) -> str:
    if t.verdict == APPLIED:
        return "live state matches the plan"
    if t.verdict == NOT_APPLIED:
        return "live state does not match the plan: it is as before"
    if t.error:
        return "live state could not be read"
    return "live state does not match the plan nor the state before"


def _reconcile_message(truths: list[StepTruth], undo_note: Msg | None) -> Msg:
    def numbers(verdict: str) -> str:
        return ", ".join(str(t.index + 1) for t in truths if t.verdict == verdict) or "none"

    en = ["The bot restarted while applying this plan; on restart, what is live step by step:"]
    ko = ["적용 중 봇이 재시작되었습니다. 재시작 후 단계별 실제 상태:"]
    for t in truths:
        en.append(f"{t.index + 1}. {t.step.description.en}: {t.words().en}")
        ko.append(f"{t.index + 1}. {t.step.description.ko}: {t.words().ko}")
    en.append(f"Applied: {numbers(APPLIED)}. Not applied: {numbers(NOT_APPLIED)}. Unknown: {numbers(UNKNOWN)}.")
    ko.append(f"적용됨: {numbers(APPLIED)}. 적용 안 됨: {numbers(NOT_APPLIED)}. 알 수 없음: {numbers(UNKNOWN)}.")
    if undo_note is not None:
        en.append(undo_note.en)
        ko.append(undo_note.ko)
    return Msg("\n".join(en), "\n".join(ko))
