"""Applying an approved plan: re-check live state, apply step by step, verify, record everything.

Every step's live state is re-read before anything is written; a plan whose ``before`` no longer
matches is refused as stale. If a step fails midway, the steps already applied are undone
(where the platform allows) so nothing is left half-applied, and the audit says exactly what
happened.

Before each step's write an intent row (``step_runs``) is committed; after it, the outcome (what
the operation read back). A replica killed in between leaves the intent, and
``reconcile_applying`` settles such plans step by step from live state: it records what is live
for each step, tells the thread which steps were applied, which were not and which are unknown,
audits each, and when only some were applied proposes a plan undoing those (approved like any).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot import errors
from bot.domain import AuditKind, Diagnosis, Msg, PlanStatus, PlanStep, Verification
from bot.mrkdwn import join, markup, mention
from bot.services.core import Services, jsonable, msg_from, msg_to_dict, plan_from_row, step_from, step_to_dict
from bot.services.failures import describe_failure, new_ref
from bot.services.guardrails import plan_violations
from bot.store.models import PlanRow, RequestRow
from handlers import registry

log = logging.getLogger(__name__)


def same_state(a: Any, b: Any) -> bool:
    return jsonable(a) == jsonable(b)


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
            return Msg(f"unknown (could not read it: {self.error[:200]})",
                       f"알 수 없음 (읽지 못함: {self.error[:200]})")
        return Msg("unknown (live state matches neither the plan nor the state before)",
                   "알 수 없음 (실제 상태가 계획과도 이전 상태와도 다름)")


def propose_inverse(svc: Services, plan: PlanRow, inverse: Sequence[PlanStep], requested_by: str, actor: str,
                    title: Msg, headline: Callable[[int], Msg]) -> PlanRow:
    """Store ``inverse`` as a proposed plan undoing ``plan`` and post it with its buttons.

    It needs approval like any plan: the same risk and number of approvers as ``plan``.
    ``headline(new_plan_id)`` is the line posted above it (and the audit row's summary).
    """
    now = svc.clock()
    row = svc.repo.add_plan(request_id=plan.request_id, kind=plan.kind, title=msg_to_dict(title),
                            target=plan.target, risk=plan.risk, status=PlanStatus.PROPOSED,
                            steps=[step_to_dict(s) for s in inverse], verify={}, requested_by=requested_by,
                            created_at=now, expires_at=now + timedelta(minutes=svc.settings.plan_ttl_minutes),
                            approvals_needed=plan.approvals_needed, message_ts="", reverts_plan_id=plan.id,
                            version=0)
    req = svc.repo.get_request(plan.request_id)
    said = headline(row.id)
    svc.audit(AuditKind.PLAN_PROPOSED, actor, said.en, req, row,
              before=[s.before for s in inverse], after=[s.after for s in inverse])
    svc.repo.update_request(plan.request_id, state="open")
    ts = svc.thread.diagnosis(req, Diagnosis(plan.kind, plan.target, said), [row])
    if ts:
        svc.repo.set_plan_fields(row.id, message_ts=ts[0])
        row.message_ts = ts[0]
    return row


class ApplyService:
    def __init__(self, svc: Services):
        self.svc = svc

    def operation(self, name: str):
        if name in self.svc.extra_operations:
            return self.svc.extra_operations[name]
        return registry.operation(name)

    def apply(self, plan_id: int, approvers: list[str]) -> None:
        svc = self.svc
        if not svc.repo.transition(plan_id, PlanStatus.APPROVED, PlanStatus.APPLYING, svc.clock()):
            return  # another worker is applying it
        plan = svc.repo.get_plan(plan_id)
        req = svc.repo.get_request(plan.request_id)
        who = join(", ", (mention(u) for u in approvers))
        svc.thread.plan_changed(req, plan, "applying", markup("Approved by {who}; applying…", "{who} 승인, 적용 중…",
                                                              who=who), {"approvers": approvers})
        steps = [step_from(s) for s in plan.steps]
        try:
            problems = plan_violations(plan_from_row(plan), svc.settings.role_patterns)
            account = svc.contexts.account_of(req.cluster)
            if account != (req.account_id or ""):
                problems.append(f"cluster {req.cluster} now maps to account {account or '?'}, "
                                f"the diagnosis ran against {req.account_id or '?'}")
            if problems:
                raise errors.GuardrailRefused("; ".join(problems))
            ctx = svc.context(req.cluster, approvers[-1], **{"plan.approved_by": ",".join(approvers)})
            self._check_fresh(ctx, steps)
        except errors.StalePlan as stale:
            self._stale(plan, req, stale)
            return
        except Exception as exc:  # noqa: BLE001 - told in the thread and audited
            self._failed(plan, req, exc, applied=[])
            return
        applied: list[tuple[int, PlanStep, Any]] = []
        try:
            for index, step in enumerate(steps):
                live = self.operation(step.op).read(ctx, step.params)
                if not same_state(live, step.before):
                    raise errors.StalePlan(index, step.before, live)
                # committed before the write: a replica killed during it leaves this row for reconciliation
                svc.repo.record_intent(plan.id, index, plan.steps[index], svc.clock())
                try:
                    observed = self.operation(step.op).apply(ctx, step)
                except Exception as exc:
                    svc.repo.record_outcome(plan.id, index, "failed", svc.clock(), error=str(exc))
                    raise
                applied.append((index, step, observed))
                svc.repo.record_outcome(plan.id, index, "applied", svc.clock(), observed=jsonable(observed))
                svc.audit(AuditKind.APPLIED, approvers[-1], f"step {index + 1}: {step.description.en}", req, plan,
                          before=step.before, after=observed)
        except Exception as exc:  # noqa: BLE001
            self._failed(plan, req, exc, applied, ctx)
            return
        result = {"observed": [jsonable(o) for _, _, o in applied]}
        svc.repo.transition(plan.id, PlanStatus.APPLYING, PlanStatus.APPLIED, svc.clock(), result=result)
        plan = svc.repo.get_plan(plan.id)
        self._mark_reverted(plan, req, approvers[-1])
        verification = self._verify(ctx, plan, steps)
        kind = AuditKind.VERIFIED if verification.ok else AuditKind.VERIFY_FAILED
        svc.audit(kind, "bot", verification.message.en, req, plan)
        reversible = all(getattr(self.operation(s.op), "reversible", False) for s in steps)
        svc.thread.plan_changed(req, plan, "applied", verification.message,
                                {"verified": verification.ok, "reversible": reversible and not plan.reverts_plan_id,
                                 "approvers": approvers})
        svc.thread.status(req, "applied" if verification.ok else "verify_failed", verification.message)
        svc.repo.settle_request(req.id)

    def _mark_reverted(self, plan: PlanRow, req: RequestRow, actor: str) -> None:
        """``plan`` undoes an applied plan and is now applied itself: mark that one reverted."""
        svc = self.svc
        if plan.reverts_plan_id and svc.repo.transition(plan.reverts_plan_id, PlanStatus.APPLIED,
                                                        PlanStatus.REVERTED, svc.clock()):
            original = svc.repo.get_plan(plan.reverts_plan_id)
            svc.audit(AuditKind.REVERTED, actor, f"plan #{original.id} reverted by plan #{plan.id}", req, original)
            svc.thread.plan_changed(req, original, "reverted", Msg(f"Reverted by plan #{plan.id}.",
                                                                   f"계획 #{plan.id} 로 되돌렸습니다."))

    def _check_fresh(self, ctx, steps: list[PlanStep]) -> None:
        for index, step in enumerate(steps):
            live = self.operation(step.op).read(ctx, step.params)
            if same_state(live, step.before):
                continue
            earlier = [s for s in steps[:index] if s.op == step.op and dict(s.params) == dict(step.params)]
            if earlier:  # a later step on the same object starts from what an earlier one writes
                continue
            raise errors.StalePlan(index, step.before, live)

    def _verify(self, ctx, plan: PlanRow, steps: list[PlanStep]) -> Verification:
        try:
            diagnoser = registry.diagnoser_named(plan.kind)
            if plan.reverts_plan_id or diagnoser is None or not plan.verify:
                for step in steps:
                    live = self.operation(step.op).read(ctx, step.params)
                    if not same_state(live, step.after):
                        return Verification(False, Msg(f"after applying, `{step.op}` reads back differently",
                                                       f"적용 후 `{step.op}` 상태가 예상과 다릅니다"))
                return Verification(True, Msg("live state matches the plan", "실제 상태가 계획과 일치합니다"))
            return diagnoser.verify(ctx, plan_from_row(plan))
        except Exception as exc:
            ref = new_ref()
            log.exception("verification crashed", extra={"ref": ref, "plan_id": plan.id})
            return Verification(False, describe_failure(exc, ref))

    def _stale(self, plan: PlanRow, req, stale: errors.StalePlan) -> None:
        svc = self.svc
        svc.repo.transition(plan.id, PlanStatus.APPLYING, PlanStatus.FAILED, svc.clock(),
                            result={"reason": "stale", "step": stale.step_index})
        svc.audit(AuditKind.STALE, "bot", f"plan #{plan.id} refused: {stale}", req, plan,
                  before=stale.expected, after=stale.actual)
        plan.status = PlanStatus.FAILED
        svc.thread.plan_changed(req, plan, "stale",
                                Msg(f"Not applied: {stale}. Re-run the diagnosis for a fresh plan.",
                                    "적용하지 않음: 계획 작성 후 실제 상태가 바뀌었습니다 "
                                    f"(단계 {stale.step_index + 1}). "
                                    "진단을 다시 실행하세요."), {"rerun": True})
        svc.repo.settle_request(req.id)

    def _failed(self, plan: PlanRow, req, exc: Exception, applied: list[tuple[int, PlanStep, Any]],
                ctx=None) -> None:
        svc = self.svc
        ref = new_ref()
        log.warning("apply failed", exc_info=not isinstance(exc, errors.ChatOpsError),
                    extra={"ref": ref, "plan_id": plan.id})
        rolled_back, rollback_errors = self._rollback(ctx, applied, req, plan) if applied else ([], [])
        svc.repo.transition(plan.id, PlanStatus.APPLYING, PlanStatus.FAILED, svc.clock(),
                            result={"error": str(exc)[:500], "rolled_back": rolled_back, "ref": ref})
        svc.audit(AuditKind.FAILED, "bot", f"plan #{plan.id} failed: {exc}"[:1000], req, plan,
                  after={"rolled_back": rolled_back, "rollback_errors": rollback_errors}, ref=ref)
        text = describe_failure(exc, ref)
        if rolled_back:
            text = Msg(text.en + f" Undid {len(rolled_back)} step(s) already applied.",
                       text.ko + f" 이미 적용된 {len(rolled_back)}개 단계를 되돌렸습니다.")
        if rollback_errors:
            text = Msg(text.en + " Could not undo: " + "; ".join(rollback_errors),
                       text.ko + " 되돌리지 못함: " + "; ".join(rollback_errors))
        plan.status = PlanStatus.FAILED
        svc.thread.plan_changed(req, plan, "failed", text)
        svc.thread.status(req, "failed", text)
        svc.repo.settle_request(req.id)

    def _rollback(self, ctx, applied, req, plan) -> tuple[list[str], list[str]]:
        svc = self.svc
        done, failed = [], []
        for index, step, observed in reversed(applied):
            undo = self.operation(step.op).revert(step, observed)
            if undo is None:
                failed.append(f"{step.op} is not reversible")
                svc.repo.record_outcome(plan.id, index, "applied", svc.clock(), error="not reversible")
                continue
            try:
                after = self.operation(undo.op).apply(ctx, undo)
            except Exception as exc:  # noqa: BLE001
                failed.append(f"{step.op}: {exc}")
                svc.repo.record_outcome(plan.id, index, "applied", svc.clock(), error=f"rollback failed: {exc}")
                continue
            done.append(step.op)
            svc.repo.record_outcome(plan.id, index, "rolled_back", svc.clock())
            svc.audit(AuditKind.REVERTED, "bot", f"rolled back {step.op}", req, plan, before=observed, after=after)
        return done, failed

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

    def _truths(self, plan: PlanRow, req: RequestRow) -> list[StepTruth]:
        steps = [step_from(s) for s in plan.steps]
        started = {r.step_index for r in self.svc.repo.step_runs(plan.id) if r.started_at is not None}
        try:
            ctx = self.svc.context(req.cluster, "reconciler")
        except Exception as exc:  # noqa: BLE001 - every step is then unknown, and says why
            return [StepTruth(i, s, UNKNOWN, error=str(exc), started=i in started) for i, s in enumerate(steps)]
        out = []
        for index, step in enumerate(steps):
            try:
                live = jsonable(self.operation(step.op).read(ctx, step.params))
            except Exception as exc:  # noqa: BLE001
                out.append(StepTruth(index, step, UNKNOWN, error=str(exc), started=index in started))
                continue
            out.append(StepTruth(index, step, _verdict(steps, index, live), live, started=index in started))
        return out

    def _reconcile(self, plan: PlanRow) -> bool:
        svc = self.svc
        req = svc.repo.get_request(plan.request_id)
        truths = self._truths(plan, req)
        done = all(t.verdict == APPLIED for t in truths)
        reason = "live state matches the plan" if done else "live state does not match the plan"
        per_step = [{"step": t.index + 1, "op": t.step.op, "verdict": t.verdict, "live": t.live,
                     "error": t.error, "started": t.started} for t in truths]
        result: dict[str, Any] = {"reconciled": True, "reason": reason, "steps": per_step}
        if done:
            result["observed"] = [t.live for t in truths]
        target = PlanStatus.APPLIED if done else PlanStatus.FAILED
        if not svc.repo.transition(plan.id, PlanStatus.APPLYING, target, svc.clock(), result=result):
            return False  # another replica settled it
        now = svc.clock()
        for t in truths:
            svc.repo.record_reconciled(plan.id, t.index, plan.steps[t.index], t.verdict, t.live, now, t.error)
            words = t.words().en
            svc.audit(AuditKind.APPLIED if t.verdict == APPLIED else AuditKind.FAILED, "reconciler",
                      f"plan #{plan.id} was interrupted while applying; step {t.index + 1}/{len(truths)} "
                      f"({t.step.description.en}): {words}; {_step_reason(t)}", req, plan,
                      before=t.step.before, after=t.live if not t.error else {"error": t.error})
        plan.status = target
        plan.result = result
        undo, undo_note = self._undo_steps(truths) if not done else ([], None)
        detail = _reconcile_message(truths, undo_note)
        reversible = done and not plan.reverts_plan_id and all(
            getattr(self.operation(t.step.op), "reversible", False) for t in truths)
        svc.thread.plan_changed(req, plan, "applied" if done else "failed", detail,
                                {"verified": done, "reversible": reversible})
        svc.thread.status(req, "applied" if done else "failed", detail)
        if done:
            self._mark_reverted(plan, req, "reconciler")
        if undo:
            self._propose_undo(plan, truths, undo)
        svc.repo.settle_request(req.id)
        return True

    def _undo_steps(self, truths: list[StepTruth]) -> tuple[list[PlanStep], Msg | None]:
        """The steps undoing what the bot wrote and is live now (last first), and what to tell the thread."""
        written = [t for t in truths if t.verdict == APPLIED and t.started
                   and not same_state(t.step.before, t.step.after)]
        if not written:
            return [], None
        inverse, stuck = [], []
        for t in reversed(written):
            try:
                undo = self.operation(t.step.op).revert(t.step, t.live)
            except KeyError:
                undo = None
            if undo is None:
                stuck.append(t.index + 1)
            else:
                inverse.append(undo)
        numbers = _numbers(written)
        if stuck:
            which = ", ".join(str(n) for n in sorted(stuck))
            return [], Msg(f"Step(s) {which} cannot be undone automatically, so no undo plan is proposed; "
                           "an engineer has to restore by hand what the bot applied.",
                           f"{which}단계는 자동으로 되돌릴 수 없어 되돌리기 계획을 제안하지 않습니다. "
                           "봇이 적용한 것을 직접 복구해야 합니다.")
        return inverse, Msg(f"An undo plan for step(s) {numbers} follows; it needs approval like any plan.",
                            f"{numbers}단계를 되돌리는 계획을 아래에 제안합니다. 다른 계획처럼 승인이 필요합니다.")

    def _propose_undo(self, plan: PlanRow, truths: list[StepTruth], inverse: list[PlanStep]) -> PlanRow:
        numbers = _numbers([t for t in truths if t.verdict == APPLIED and t.started])
        title = msg_from(plan.title)
        row = propose_inverse(
            self.svc, plan, inverse, requested_by=plan.requested_by, actor="reconciler",
            title=Msg(f"Undo: {title.en}", f"되돌리기: {title.ko}"),
            headline=lambda new_id: Msg(
                f"Undo of step(s) {numbers} of plan #{plan.id} (applied before the bot restarted) "
                f"proposed as plan #{new_id}",
                f"계획 #{plan.id} 의 {numbers}단계(재시작 전에 적용됨) 되돌리기를 계획 #{new_id} 로 제안합니다"))
        self.svc.repo.set_plan_fields(plan.id, result={**(plan.result or {}), "undo_plan_id": row.id})
        return row


def _numbers(truths: Sequence[StepTruth]) -> str:
    return ", ".join(str(t.index + 1) for t in truths)


def _same_object(a: PlanStep, b: PlanStep) -> bool:
    return a.op == b.op and jsonable(dict(a.params)) == jsonable(dict(b.params))


def _verdict(steps: list[PlanStep], index: int, live: Any) -> str:
    """Applied, not applied or unknown, from the live state of step ``index``.

    A later step on the same object starts from what this one writes, so live state equal to a
    later step's ``before`` or ``after`` means this step was applied too.
    """
    step = steps[index]
    if same_state(live, step.after):
        return APPLIED
    if same_state(live, step.before):
        return NOT_APPLIED
    later = [s for s in steps[index + 1:] if _same_object(s, step)]
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

