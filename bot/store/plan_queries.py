"""The repository's queries of plans, their approvals and their step runs.

A transition is a single-use conditional update, so two clicks, two retries or two replicas can
never move a plan forward twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from bot.domain import PlanStatus
from bot.store.models import ApprovalRow, PlanRow, RequestRow, StepRunRow
from bot.store.records import PlanRecord, RequestRecord, StepRunRecord
from bot.store.unit import Sessions, as_record, as_records


class PlanQueries(Sessions):
    def add_plan(self, **values: Any) -> PlanRecord:
        with self._session(write=True) as s:
            row = PlanRow(**values)
            s.add(row)
            s.flush()
            return as_record(PlanRecord, row)

    def get_plan(self, plan_id: int) -> PlanRecord | None:
        with self._session(write=False) as s:
            row = s.get(PlanRow, plan_id)
            return as_record(PlanRecord, row) if row is not None else None

    def plan_with_request(self, plan_id: int) -> tuple[PlanRecord | None, RequestRecord | None]:
        """A plan and its request, read by one statement; (None, None) if there is no such plan."""
        stmt = select(PlanRow, RequestRow).outerjoin(RequestRow, RequestRow.id == PlanRow.request_id)
        with self._session(write=False) as s:
            found = s.execute(stmt.where(PlanRow.id == plan_id)).first()
            if found is None:
                return None, None
            plan, req = found
            return as_record(PlanRecord, plan), (as_record(RequestRecord, req) if req is not None else None)

    def plans_for_request(self, request_id: int) -> list[PlanRecord]:
        with self._session(write=False) as s:
            stmt = select(PlanRow).where(PlanRow.request_id == request_id).order_by(PlanRow.id)
            return as_records(PlanRecord, s.scalars(stmt))

    def plans_with_status(self, *statuses: str) -> list[PlanRecord]:
        with self._session(write=False) as s:
            stmt = select(PlanRow).where(PlanRow.status.in_(statuses)).order_by(PlanRow.id)
            return as_records(PlanRecord, s.scalars(stmt))

    def proposed_plans_due(self, now: datetime) -> list[PlanRecord]:
        """Proposed plans whose expiry is ``now`` or earlier, chosen by the database: the scheduler asks
        every minute, and reading every waiting plan (each with its steps and diffs) would cost the
        process hundreds of megabytes in a busy workspace."""
        with self._session(write=False) as s:
            stmt = (
                select(PlanRow)
                .where(PlanRow.status == PlanStatus.PROPOSED, PlanRow.expires_at <= now)
                .order_by(PlanRow.id)
            )
            return as_records(PlanRecord, s.scalars(stmt))

    def plans_waiting(self, now: datetime, limit: int, not_requested_by: str = "") -> list[PlanRecord]:
        """Up to ``limit`` proposed plans still open at ``now``, oldest first, leaving out those
        ``not_requested_by`` asked for (a person cannot approve their own)."""
        with self._session(write=False) as s:
            stmt = select(PlanRow).where(PlanRow.status == PlanStatus.PROPOSED, PlanRow.expires_at > now)
            if not_requested_by:
                stmt = stmt.where(PlanRow.requested_by != not_requested_by)
            return as_records(PlanRecord, s.scalars(stmt.order_by(PlanRow.id).limit(limit)))

    def set_plan_fields(self, plan_id: int, **changes: Any) -> None:
        with self._session(write=True) as s:
            s.execute(update(PlanRow).where(PlanRow.id == plan_id).values(**changes))

    def transition(
        self, plan_id: int, from_status: str, to_status: str, now: datetime, **changes: Any
    ) -> PlanRecord | None:
        """Move a plan between states only if it is still in ``from_status``: the plan as this call left
        it, read back by the same statement (``UPDATE ... RETURNING``), or None if another call won."""
        values: dict[str, Any] = {"status": to_status, "version": PlanRow.version + 1, **changes}
        if from_status == PlanStatus.PROPOSED:  # approved (and so applying), rejected or expired
            values["decided_at"] = now
        if to_status == PlanStatus.APPLIED:
            values["applied_at"] = now
        stmt = (
            update(PlanRow)
            .where(PlanRow.id == plan_id, PlanRow.status == from_status)
            .values(**values)
            .returning(PlanRow)
        )
        with self._session(write=True) as s:
            row = s.scalars(stmt).first()
            return as_record(PlanRecord, row) if row is not None else None

    def record_approval(self, plan_id: int, user_id: str, now: datetime) -> bool:
        """Record one person's approval (False if they had already approved), without reading who else
        has: for a plan that one approval decides."""
        with self._session(write=True) as s:
            return self._insert_once(s, ApprovalRow, plan_id=plan_id, user_id=user_id, at=now)

    def add_approval(self, plan_id: int, user_id: str, now: datetime) -> list[str] | None:
        """Record one person's approval; None if they had already approved. Returns who has approved
        so far, in order."""
        with self._session(write=True) as s:
            if not self._insert_once(s, ApprovalRow, plan_id=plan_id, user_id=user_id, at=now):
                return None
            if s.get_bind().dialect.name == "postgresql":
                # Approvers of one plan count in turn: under READ COMMITTED two who click at once
                # would each see only their own uncommitted approval, and neither would decide.
                # The lock holds until the caller's unit ends. It is FOR NO KEY UPDATE: each approval
                # row's foreign key already holds a KEY SHARE lock on the plan, which a FOR UPDATE
                # would wait on from both sides (a deadlock). SQLite has one writer at a time, so
                # there the second approval's insert already waits for the first's commit.
                s.execute(select(PlanRow.id).where(PlanRow.id == plan_id).with_for_update(key_share=True))
        return self.approvers(plan_id)

    def approval_count(self, plan_id: int) -> int:
        with self._session(write=False) as s:
            return s.scalar(select(func.count()).select_from(ApprovalRow).where(ApprovalRow.plan_id == plan_id)) or 0

    def approvers(self, plan_id: int) -> list[str]:
        with self._session(write=False) as s:
            stmt = select(ApprovalRow.user_id).where(ApprovalRow.plan_id == plan_id).order_by(ApprovalRow.id)
            return list(s.scalars(stmt))

    def record_intent(self, plan_id: int, index: int, step: dict[str, Any], now: datetime) -> None:
        """Commit that step ``index`` of ``plan_id`` is about to be written (before the write itself)."""
        with self._session(write=True) as s:
            s.add(_step_row(plan_id, index, step, state="intent", started_at=now))

    def record_outcome(
        self, plan_id: int, index: int, state: str, now: datetime, observed: Any = None, error: str = ""
    ) -> None:
        """What came of a step's write (``applied`` with what was read back, ``failed``, ``rolled_back``)."""
        values: dict[str, Any] = {"state": state, "finished_at": now}
        if observed is not None:
            values["observed"] = observed
        if error:
            values["error"] = error[:2000]
        with self._session(write=True) as s:
            s.execute(
                update(StepRunRow).where(StepRunRow.plan_id == plan_id, StepRunRow.step_index == index).values(**values)
            )

    def record_reconciled(
        self, plan_id: int, index: int, step: dict[str, Any], state: str, live: Any, now: datetime, error: str = ""
    ) -> None:
        """What start-up reconciliation found live for a step; a row is added for a step never started."""
        with self._session(write=True) as s:
            row = s.scalars(
                select(StepRunRow).where(StepRunRow.plan_id == plan_id, StepRunRow.step_index == index)
            ).first()
            if row is None:
                row = _step_row(plan_id, index, step)
                s.add(row)
            row.state, row.live, row.reconciled_at = state, live, now
            if error:
                row.error = ((row.error + "; ") if row.error else "") + error[:1000]

    def step_runs(self, plan_id: int) -> list[StepRunRecord]:
        with self._session(write=False) as s:
            stmt = select(StepRunRow).where(StepRunRow.plan_id == plan_id).order_by(StepRunRow.step_index)
            return as_records(StepRunRecord, s.scalars(stmt))


def _step_row(plan_id: int, index: int, step: dict[str, Any], **columns: Any) -> StepRunRow:
    """The step-run row of step ``index`` of a plan, with the step as the plan recorded it."""
    return StepRunRow(
        plan_id=plan_id,
        step_index=index,
        op=step["op"],
        params=step["params"],
        before=step["before"],
        after=step["after"],
        error="",
        **columns,
    )
