"""Applying an approved plan: re-check live state, apply step by step, verify, record everything.

Every step's live state is re-read before anything is written; a plan whose ``before`` no longer
matches is refused as stale. If a step fails midway, the steps already applied are undone
(where the platform allows) so nothing is left half-applied, and the audit says exactly what
happened.

Before each step's write an intent row (``step_runs``) is committed; after it, the outcome (what
the operation read back). A replica killed in between leaves the intent, and
``reconcile_applying`` settles such plans step by step from live state (``bot.services.reconcile``).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot import errors
from bot.domain import AuditKind, Msg, PlanStatus, PlanStep, Verification
from bot.korean import attach
from bot.mrkdwn import join, markup, mention
from bot.services.core import Services, jsonable, plan_from_record, same_state, step_from
from bot.services.failures import describe_failure, new_ref
from bot.services.guardrails import plan_violations
from bot.services.reconcile import Reconciler
from bot.services.steps import AppliedStep, StepsInterrupted, apply_steps, check_fresh, revert_steps
from bot.store.records import PlanRecord, RequestRecord
from handlers import registry

log = logging.getLogger(__name__)


class ApplyService:
    def __init__(self, svc: Services):
        self.svc = svc

    def operation(self, name: str):
        return self.svc.operation(name)

    def apply(self, plan: PlanRecord, approvers: list[str], req: RequestRecord | None = None) -> None:
        """Apply a plan its approval moved to ``applying`` (the approval's call won the plan, so no
        other call applies it); ``req`` is its request when the caller has it at hand."""
        svc = self.svc
        if req is None or req.id != plan.request_id:
            req = svc.repo.get_request(plan.request_id)
        who = join(", ", (mention(u) for u in approvers))
        svc.thread.plan_changed(
            req,
            plan,
            "applying",
            markup("Approved by {who}; applying…", "{who} 승인, 적용 중…", who=who),
            {"approvers": approvers},
        )
        steps = [step_from(s) for s in plan.steps]
        try:
            problems = plan_violations(plan_from_record(plan), svc.settings.role_patterns)
            account = svc.contexts.account_of(req.cluster)
            if account != (req.account_id or ""):
                problems.append(
                    f"cluster {req.cluster} now maps to account {account or '?'}, "
                    f"the diagnosis ran against {req.account_id or '?'}"
                )
            if problems:
                raise errors.GuardrailRefused("; ".join(problems))
            ctx = svc.context(req.cluster, approvers[-1], approved_by=",".join(approvers))
            check_fresh(ctx, steps, self.operation)
        except errors.StalePlan as stale:
            self._stale(plan, req, stale)
            return
        except Exception as exc:  # noqa: BLE001 - told in the thread and audited
            self._failed(plan, req, exc, applied=[])
            return
        try:
            applied = apply_steps(ctx, steps, self.operation, _Recorder(svc, plan, req, approvers[-1]))
        except StepsInterrupted as stopped:
            self._failed(plan, req, stopped.cause, stopped.applied, ctx)
            return
        result = {"observed": [jsonable(a.observed) for a in applied]}
        with svc.repo.unit() as uow:
            applied_plan = svc.repo.transition(
                plan.id, PlanStatus.APPLYING, PlanStatus.APPLIED, svc.clock(), result=result
            )
            plan = applied_plan or svc.repo.get_plan(plan.id)  # settled elsewhere meanwhile: as it is now
            original = self._record_reverted(plan, req, approvers[-1])
            uow.commit()
        self._tell_reverted(req, plan, original)
        verification = self._verify(ctx, plan, steps)
        kind = AuditKind.VERIFIED if verification.ok else AuditKind.VERIFY_FAILED
        reversible = all(getattr(self.operation(s.op), "reversible", False) for s in steps)
        try:
            svc.thread.plan_changed(
                req,
                plan,
                "applied",
                verification.message,
                {
                    "verified": verification.ok,
                    "reversible": reversible and not plan.reverts_plan_id,
                    "approvers": approvers,
                },
            )
            svc.thread.status(req, "applied" if verification.ok else "verify_failed", verification.message)
        finally:
            # last, once the thread is complete: the verification's audit row and the request settled
            with svc.repo.unit() as uow:
                svc.audit(kind, "bot", verification.message.en, req, plan)
                svc.repo.settle_request(req.id)
                uow.commit()

    def mark_reverted(self, plan: PlanRecord, req: RequestRecord, actor: str) -> None:
        """``plan`` undoes an applied plan and is now applied itself: mark that one reverted."""
        with self.svc.repo.unit() as uow:
            original = self._record_reverted(plan, req, actor)
            uow.commit()
        self._tell_reverted(req, plan, original)

    def _record_reverted(self, plan: PlanRecord, req: RequestRecord, actor: str) -> PlanRecord | None:
        """The plan ``plan`` undoes, now marked reverted with its audit row (None if there is none)."""
        svc = self.svc
        if not plan.reverts_plan_id:
            return None
        original = svc.repo.transition(plan.reverts_plan_id, PlanStatus.APPLIED, PlanStatus.REVERTED, svc.clock())
        if original is None:
            return None
        svc.audit(AuditKind.REVERTED, actor, f"plan #{original.id} reverted by plan #{plan.id}", req, original)
        return original

    def _tell_reverted(self, req: RequestRecord, plan: PlanRecord, original: PlanRecord | None) -> None:
        if original is not None:
            self.svc.thread.plan_changed(
                req,
                original,
                "reverted",
                Msg(f"Reverted by plan #{plan.id}.", f"계획 #{attach(plan.id, '로')} 되돌렸습니다."),
            )

    def _verify(self, ctx, plan: PlanRecord, steps: list[PlanStep]) -> Verification:
        try:
            diagnoser = registry.diagnoser_named(plan.kind)
            if plan.reverts_plan_id or diagnoser is None or not plan.verify:
                for step in steps:
                    live = self.operation(step.op).read(ctx, step.params)
                    if not same_state(live, step.after):
                        return Verification(
                            ok=False,
                            message=Msg(
                                f"after applying, `{step.op}` reads back differently",
                                f"적용 후 `{step.op}` 상태가 예상과 다릅니다",
                            ),
                        )
                return Verification(
                    ok=True, message=Msg("live state matches the plan", "실제 상태가 계획과 일치합니다")
                )
            return diagnoser.verify(ctx, plan_from_record(plan))
        except Exception as exc:
            ref = new_ref()
            log.exception("verification crashed", extra={"ref": ref, "plan_id": plan.id})
            return Verification(ok=False, message=describe_failure(exc, ref))

    def _stale(self, plan: PlanRecord, req: RequestRecord, stale: errors.StalePlan) -> None:
        svc = self.svc
        self._end_failed(
            plan,
            req,
            {"reason": "stale", "step": stale.step_index},
            AuditKind.STALE,
            f"plan #{plan.id} refused: {stale}",
            before=stale.expected,
            after=stale.actual,
        )
        plan = replace(plan, status=PlanStatus.FAILED)
        svc.thread.plan_changed(
            req,
            plan,
            "stale",
            Msg(
                f"Not applied: {stale}. Re-run the diagnosis for a fresh plan.",
                "적용하지 않음: 계획 작성 후 실제 상태가 바뀌었습니다 "
                f"(단계 {stale.step_index + 1}). "
                "진단을 다시 실행하세요.",
            ),
            {"rerun": True},
        )
        svc.repo.settle_request(req.id)  # last: the thread is complete

    def _end_failed(
        self,
        plan: PlanRecord,
        req: RequestRecord,
        result: dict[str, Any],
        kind: AuditKind,
        summary: str,
        before: Any = None,
        after: Any = None,
        ref: str = "",
    ) -> None:
        """The plan is failed, with its audit row: one transaction (the request is settled last,
        once the thread has been told)."""
        svc = self.svc
        with svc.repo.unit() as uow:
            svc.repo.transition(plan.id, PlanStatus.APPLYING, PlanStatus.FAILED, svc.clock(), result=result)
            svc.audit(kind, "bot", summary, req, plan, before=before, after=after, ref=ref)
            uow.commit()

    def _failed(
        self, plan: PlanRecord, req: RequestRecord, exc: Exception, applied: list[AppliedStep], ctx=None
    ) -> None:
        svc = self.svc
        ref = new_ref()
        log.warning(
            "apply failed", exc_info=not isinstance(exc, errors.ChatOpsError), extra={"ref": ref, "plan_id": plan.id}
        )
        rolled_back, rollback_errors = self._rollback(ctx, applied, req, plan) if applied else ([], [])
        self._end_failed(
            plan,
            req,
            {"error": str(exc)[:500], "rolled_back": rolled_back, "ref": ref},
            AuditKind.FAILED,
            f"plan #{plan.id} failed: {exc}"[:1000],
            after={"rolled_back": rolled_back, "rollback_errors": rollback_errors},
            ref=ref,
        )
        text = describe_failure(exc, ref)
        if rolled_back:
            text = Msg(
                text.en + f" Undid {len(rolled_back)} step(s) already applied.",
                text.ko + f" 이미 적용된 {len(rolled_back)}개 단계를 되돌렸습니다.",
            )
        if rollback_errors:
            text = Msg(
                text.en + " Could not undo: " + "; ".join(rollback_errors),
                text.ko + " 되돌리지 못함: " + "; ".join(rollback_errors),
            )
        plan = replace(plan, status=PlanStatus.FAILED)
        try:
            svc.thread.plan_changed(req, plan, "failed", text)
            svc.thread.status(req, "failed", text)
        finally:
            svc.repo.settle_request(req.id)  # last: the thread is complete

    def _rollback(self, ctx, applied, req, plan) -> tuple[list[str], list[str]]:
        svc = self.svc
        done, failed = [], []
        for done_step, undo in revert_steps(applied, self.operation):
            index, step, observed = done_step.index, done_step.step, done_step.observed
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
            with svc.repo.unit() as uow:
                svc.repo.record_outcome(plan.id, index, "rolled_back", svc.clock())
                svc.audit(AuditKind.REVERTED, "bot", f"rolled back {step.op}", req, plan, before=observed, after=after)
                uow.commit()
        return done, failed

    def resume_applying(self, plan_id: int) -> bool:
        """A retried approval whose first attempt died while applying: settle the plan from live state
        (``reconcile.Reconciler``); no step is written again."""
        return Reconciler(self).reconcile_plan(plan_id)

    def reconcile_applying(self, older_than: timedelta | None = None) -> int:
        """Settle plans a dead replica left in ``applying``, step by step (``reconcile.Reconciler``)."""
        return Reconciler(self).reconcile_applying(older_than)


class _Recorder:
    """Intent and outcome rows for each step, and its audit row: the intent is committed before the
    write, so a replica killed during it leaves the row for reconciliation."""

    def __init__(self, svc: Services, plan: PlanRecord, req: RequestRecord, actor: str):
        self.svc, self.plan, self.req, self.actor = svc, plan, req, actor

    def before_write(self, index: int, step: PlanStep) -> None:
        self.svc.repo.record_intent(self.plan.id, index, self.plan.steps[index], self.svc.clock())

    def write_failed(self, index: int, step: PlanStep, exc: Exception) -> None:
        self.svc.repo.record_outcome(self.plan.id, index, "failed", self.svc.clock(), error=str(exc))

    def written(self, done: AppliedStep) -> None:
        """The step's outcome and its audit row, committed together."""
        svc, step = self.svc, done.step
        with svc.repo.unit() as uow:
            svc.repo.record_outcome(self.plan.id, done.index, "applied", svc.clock(), observed=jsonable(done.observed))
            svc.audit(
                AuditKind.APPLIED,
                self.actor,
                f"step {done.index + 1}: {step.description.en}",
                self.req,
                self.plan,
                before=step.before,
                after=done.observed,
            )
            uow.commit()
