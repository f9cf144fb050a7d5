"""Deciding on plans: approve (single use), reject, expire, and propose a revert.

Authorisation follows ``bot.services.policy.POLICY``: the global middleware checks it when the
click arrives, and it is checked again here at the moment of the decision, with approver
membership read afresh from Slack. At the click that would complete a plan every recorded
approval is re-checked: one by somebody who is no longer an approver no longer counts (it is
audited and the thread is told). HIGH-risk plans need two distinct approvers, neither of them
the requester, whatever ``ALLOW_SELF_APPROVAL`` says. The move out of ``proposed`` is a
conditional update, so concurrent clicks, Slack retries and several replicas cannot decide a
plan twice. A plan has at most one open revert.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.domain import AuditKind, Msg, PlanStatus
from bot.korean import attach
from bot.mrkdwn import markup, mention
from bot.services.apply import ApplyService
from bot.services.authz import Authorizer
from bot.services.core import Services
from bot.services.policy import Action
from bot.services.reverts import inverse_steps, propose_revert_of
from bot.services.risk import approvals_recorded_plan_needs
from bot.store.records import PlanRecord, RequestRecord

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What the clicking user should be told (ephemeral), if anything."""

    ok: bool
    message: Msg | None = None


NO_PLAN = Msg("That plan does not exist (any more).", "해당 계획이 존재하지 않습니다.")
LIVE = (PlanStatus.PROPOSED, PlanStatus.APPROVED, PlanStatus.APPLYING)


def refusal_reason(
    svc: Services,
    plan: PlanRecord | None,
    user: str,
    action: Action = Action.APPROVE,
    *,
    fresh: bool = False,
    authz: Authorizer | None = None,
    req: RequestRecord | None = None,
) -> Msg | None:
    """Why ``user`` may not ``action`` (approve, reject, revert) ``plan`` (None if they may).

    ``req`` is the plan's request when the caller has read it already (a revert asks who filed it)."""
    if plan is None:
        return NO_PLAN
    authz = authz or Authorizer(svc.settings, svc.approvers)
    requester = plan.requested_by
    if action == Action.REVERT:  # the person who asked for the change being undone
        if req is None or req.id != plan.request_id:
            req = svc.repo.get_request(plan.request_id)
        requester = req.user_id if req is not None else plan.requested_by
    refusal = authz.who_refusal(action, user, requester, fresh=fresh, risk=plan.risk)
    return refusal.message if refusal is not None else None


def _not_open(plan: PlanRecord) -> Msg:
    return Msg(
        f"Plan #{plan.id} is already {plan.status}; nothing was done.",
        f"계획 #{attach(plan.id, '는')} 이미 {plan.status} 상태입니다. 아무것도 하지 않았습니다.",
    )


class PlanService:
    def __init__(self, svc: Services, applier: ApplyService, authz: Authorizer | None = None):
        self.svc = svc
        self.applier = applier
        self.authz = authz or Authorizer(svc.settings, svc.approvers)

    def _refusal(
        self, plan: PlanRecord | None, user: str, action: Action, req: RequestRecord | None = None
    ) -> Msg | None:
        """The decision-time check: approver membership fresh from Slack, not the cache."""
        return refusal_reason(self.svc, plan, user, action, fresh=True, authz=self.authz, req=req)

    def _expire_if_due(self, plan: PlanRecord, req: RequestRecord | None = None) -> bool:
        """Expire ``plan`` if it is proposed and past its expiry (True if it is past it); ``req`` is its
        request when the caller has read it already."""
        svc = self.svc
        if plan.status != PlanStatus.PROPOSED or svc.clock() < plan.expires_at:
            return False
        with svc.repo.unit() as uow:  # the expiry and its audit row commit together
            expired = svc.repo.transition(plan.id, PlanStatus.PROPOSED, PlanStatus.EXPIRED, svc.clock())
            if expired is not None:
                if req is None or req.id != plan.request_id:
                    req = svc.repo.get_request(plan.request_id)
                svc.audit(AuditKind.EXPIRED, "bot", f"plan #{plan.id} expired", req, expired)
            uow.commit()
        if expired is not None:
            if req is not None:
                svc.thread.plan_changed(
                    req, expired, "expired", Msg("Expired before anyone approved it.", "승인 전에 만료되었습니다.")
                )
                self.svc.repo.settle_request(req.id)
        return True

    def expire_due(self) -> int:
        """Expire every proposed plan past its expiry (run by the scheduler)."""
        return sum(self._expire_if_due(p) for p in self.svc.repo.proposed_plans_due(self.svc.clock()))

    def _refuse(self, plan: PlanRecord | None, req: RequestRecord | None, user: str, reason: Msg, action: str) -> None:
        self.svc.audit(AuditKind.REFUSED, user, f"{action} refused: {reason.en}", req, plan)

    def approve(self, plan_id: int, user: str, *, resume: bool = False) -> Outcome:
        """One approval click (``resume``: its job is being retried after a worker died running it)."""
        svc = self.svc
        # the plan and its request, read once for the whole click
        plan, req = svc.repo.plan_with_request(plan_id)
        if resume and plan is not None and plan.status == PlanStatus.APPLYING:
            # the earlier attempt approved it and died applying: settle it, never write a step again
            self.applier.resume_applying(plan.id)
            return Outcome(ok=True)
        reason = self._refusal(plan, user, Action.APPROVE)
        if reason is not None:
            self._refuse(plan, req, user, reason, "approve")
            return Outcome(ok=False, message=reason)
        assert plan is not None
        closed = self._closed(plan, req)
        if closed is not None:
            return closed
        # The click is recorded, and when it is the deciding one (and no other approver's standing
        # needs asking Slack about) the plan is approved, and so applying, with its audit row, in one
        # transaction: no moment is committed at which a plan is approved but nobody applies it.
        decided: PlanRecord | None = None
        needed = approvals_recorded_plan_needs(plan)
        with svc.repo.unit() as uow:
            recorded = self._record_click(plan, user, needed)
            if recorded is None:
                return Outcome(ok=False, message=Msg("You have already approved this plan.", "이미 승인하셨습니다."))
            approvers, count = recorded, len(recorded)
            others = [a for a in approvers if a != user]
            if count < needed:
                self._audit_partial(plan, req, user, count, needed)
            elif not others:
                decided = self._decide(plan, req, approvers, user)
            uow.commit()
        if count >= needed and others:  # every recorded approval counts only if it still holds
            approvers, decided = self._decide_rechecked(plan, req, approvers, user, needed)
            count = len(approvers)
        if count < needed:
            self._tell_partial(plan, req, user, count, needed)
            return Outcome(ok=True)
        if decided is None:
            return Outcome(ok=False, message=_not_open(svc.repo.get_plan(plan.id) or plan))
        self.applier.apply(decided, approvers, req)
        return Outcome(ok=True)

    def _record_click(self, plan: PlanRecord, user: str, needed: int) -> list[str] | None:
        """Who has approved so far, this click included (None if the clicker had approved already).

        When one approval decides the plan, the clicker's, checked a moment ago, decides it alone, so
        nobody else's is read or locked for; a plan that needs more counts every recorded approval."""
        if needed == 1:
            return [user] if self.svc.repo.record_approval(plan.id, user, self.svc.clock()) else None
        return self.svc.repo.add_approval(plan.id, user, self.svc.clock())

    def _decide_rechecked(
        self, plan: PlanRecord, req: RequestRecord | None, recorded: list[str], user: str, needed: int
    ) -> tuple[list[str], PlanRecord | None]:
        """The approvals that still count, and the plan if they approved it in this call."""
        approvers = self._still_valid(plan, req, recorded, user)
        count = len(approvers)
        if count < needed:
            self._audit_partial(plan, req, user, count, needed)
            return approvers, None
        with self.svc.repo.unit() as uow:
            decided = self._decide(plan, req, approvers, user)
            uow.commit()
        return approvers, decided

    def _closed(self, plan: PlanRecord, req: RequestRecord | None) -> Outcome | None:
        """Why the plan takes no approval any more (it expired, now or before, or was decided), if so."""
        if self._expire_if_due(plan, req):
            return Outcome(
                ok=False,
                message=Msg(
                    f"Plan #{plan.id} has expired; re-run the diagnosis.",
                    f"계획 #{attach(plan.id, '가')} 만료되었습니다. 진단을 다시 실행하세요.",
                ),
            )
        if plan.status != PlanStatus.PROPOSED:
            return Outcome(ok=False, message=_not_open(plan))
        return None

    def _tell_partial(self, plan: PlanRecord, req: RequestRecord | None, user: str, count: int, needed: int) -> None:
        """Tell the thread that ``user``'s approval is recorded and another approver is needed."""
        self.svc.thread.plan_changed(
            req,
            plan,
            "partially_approved",
            markup(
                "{who} approved ({count}/{needed}); high risk needs another approver.",
                "{who} 승인 ({count}/{needed}); 위험도 높음: 승인자가 한 명 더 필요합니다.",
                who=mention(user),
                count=count,
                needed=needed,
            ),
        )

    def _audit_partial(self, plan: PlanRecord, req: RequestRecord | None, user: str, count: int, needed: int) -> None:
        self.svc.audit(AuditKind.APPROVED, user, f"plan #{plan.id}: approval {count}/{needed}", req, plan)

    def _decide(
        self, plan: PlanRecord, req: RequestRecord | None, approvers: list[str], user: str
    ) -> PlanRecord | None:
        """Approve the plan if it is still proposed, with its audit row: the plan, now applying (None if
        another call decided it first). The caller applies it."""
        svc = self.svc
        applying = svc.repo.transition(plan.id, PlanStatus.PROPOSED, PlanStatus.APPLYING, svc.clock())
        if applying is None:
            return None
        svc.audit(AuditKind.APPROVED, user, f"plan #{plan.id} approved by {', '.join(approvers)}", req, plan)
        return applying

    def _still_valid(self, plan: PlanRecord, req: RequestRecord | None, recorded: list[str], clicker: str) -> list[str]:
        """The recorded approvals that still count, with membership fresh from Slack.

        The clicker was checked a moment ago; everyone else is checked again now. An approval that no
        longer counts is audited and told in the thread once."""
        svc = self.svc
        valid = []
        for approver in recorded:
            reason = None if approver == clicker else self._refusal(plan, approver, Action.APPROVE)
            if reason is None:
                valid.append(approver)
                continue
            if svc.repo.first_time(f"void-approval:{plan.id}:{approver}", svc.clock()):
                svc.audit(
                    AuditKind.REFUSED,
                    approver,
                    f"plan #{plan.id}: approval by {approver} no longer counts: {reason.en}",
                    req,
                    plan,
                )
                svc.thread.reply(
                    req,
                    markup(
                        "The approval by {who} on plan #{id} no longer counts: they are no longer an approver.",
                        "{who} 님의 계획 #{id} 승인은 더 이상 유효하지 않습니다: 승인자가 아닙니다.",
                        who=mention(approver),
                        id=plan.id,
                    ),
                )
        return valid

    def reject(self, plan_id: int, user: str) -> Outcome:
        svc = self.svc
        plan, req = svc.repo.plan_with_request(plan_id)
        reason = self._refusal(plan, user, Action.REJECT)
        if reason is not None:
            self._refuse(plan, req, user, reason, "reject")
            return Outcome(ok=False, message=reason)
        assert plan is not None
        with svc.repo.unit() as uow:  # the rejection and its audit row commit together
            rejected = svc.repo.transition(plan.id, PlanStatus.PROPOSED, PlanStatus.REJECTED, svc.clock())
            if rejected is not None:
                svc.audit(AuditKind.REJECTED, user, f"plan #{plan.id} rejected", req, rejected)
            uow.commit()
        if rejected is None:
            return Outcome(ok=False, message=_not_open(svc.repo.get_plan(plan.id) or plan))
        svc.thread.plan_changed(
            req, rejected, "rejected", markup("Rejected by {who}.", "{who} 님이 거절했습니다.", who=mention(user))
        )
        svc.repo.settle_request(plan.request_id)
        return Outcome(ok=True)

    def propose_revert(self, plan_id: int, user: str) -> Outcome:
        """Turn an applied plan into a new plan that undoes it; it needs approval like any other."""
        svc = self.svc
        plan, req = svc.repo.plan_with_request(plan_id)
        reason = self._refusal(plan, user, Action.REVERT, req)
        if reason is not None:
            if plan is not None:
                self._refuse(plan, req, user, reason, "revert")
            return Outcome(ok=False, message=reason)
        assert plan is not None
        if plan.status != PlanStatus.APPLIED:
            return Outcome(
                ok=False, message=Msg("Only an applied plan can be reverted.", "적용된 계획만 되돌릴 수 있습니다.")
            )
        reverts = [p for p in svc.repo.plans_for_request(plan.request_id) if p.reverts_plan_id == plan.id]
        open_revert = next((p for p in reverts if p.status in LIVE), None)
        # one claim per revert attempt: two clicks at once (or two replicas) cannot both propose one
        if open_revert is not None or not svc.repo.first_time(f"revert:{plan.id}:{len(reverts)}", svc.clock()):
            which = f" (#{open_revert.id})" if open_revert is not None else ""
            reason = Msg(
                f"A revert of plan #{plan.id} is already open{which}; decide that one first.",
                f"계획 #{plan.id}의 되돌리기가 이미 진행 중입니다{which}. 그것을 먼저 결정하세요.",
            )
            self._refuse(plan, req, user, reason, "revert")
            return Outcome(ok=False, message=reason)
        inverse = inverse_steps(plan, self.applier.operation)
        if isinstance(inverse, Msg):
            return Outcome(ok=False, message=inverse)
        propose_revert_of(svc, plan, req, user, inverse)
        return Outcome(ok=True)
