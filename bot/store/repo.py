"""Repository of the spine tables: the only place that writes SQL for requests, plans, step runs and audit.

Services call these functions with a ``sessionmaker``; each function is one short transaction.
Approval is a single-use conditional update, so two clicks, two retries or two replicas can
never move a plan forward twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import AuditEvent, PlanStatus
from bot.store.models import ApprovalRow, AuditRow, PlanRow, RequestRow, SeenEventRow, StepRunRow


class Repo:
    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions

    # requests ---------------------------------------------------------------------------
    def add_request(self, **fields: Any) -> RequestRow:
        with self.sessions.begin() as s:
            row = RequestRow(**fields)
            s.add(row)
            s.flush()
            s.expunge(row)
            return row

    def get_request(self, request_id: int) -> RequestRow | None:
        with self.sessions() as s:
            return s.get(RequestRow, request_id)

    def update_request(self, request_id: int, **fields: Any) -> None:
        with self.sessions.begin() as s:
            s.execute(update(RequestRow).where(RequestRow.id == request_id).values(**fields))

    def open_request_for(self, target: str) -> RequestRow | None:
        with self.sessions() as s:
            stmt = (
                select(RequestRow)
                .where(RequestRow.target == target, RequestRow.state == "open")
                .order_by(RequestRow.id.desc())
                .limit(1)
            )
            return s.scalars(stmt).first()

    def request_by_thread(self, channel: str, thread_ts: str) -> RequestRow | None:
        with self.sessions() as s:
            stmt = (
                select(RequestRow)
                .where(RequestRow.channel == channel, RequestRow.thread_ts == thread_ts)
                .order_by(RequestRow.id.desc())
                .limit(1)
            )
            return s.scalars(stmt).first()

    def requests_of(self, user_id: str, limit: int = 10) -> list[RequestRow]:
        with self.sessions() as s:
            stmt = select(RequestRow).where(RequestRow.user_id == user_id).order_by(RequestRow.id.desc()).limit(limit)
            return list(s.scalars(stmt))

    def latest_requests(self, limit: int = 50) -> list[RequestRow]:
        """The newest requests first, whoever filed them."""
        with self.sessions() as s:
            return list(s.scalars(select(RequestRow).order_by(RequestRow.id.desc()).limit(limit)))

    # plans ------------------------------------------------------------------------------
    def add_plan(self, **fields: Any) -> PlanRow:
        with self.sessions.begin() as s:
            row = PlanRow(**fields)
            s.add(row)
            s.flush()
            s.expunge(row)
            return row

    def get_plan(self, plan_id: int) -> PlanRow | None:
        with self.sessions() as s:
            return s.get(PlanRow, plan_id)

    def plans_for_request(self, request_id: int) -> list[PlanRow]:
        with self.sessions() as s:
            return list(s.scalars(select(PlanRow).where(PlanRow.request_id == request_id).order_by(PlanRow.id)))

    def plans_with_status(self, *statuses: str) -> list[PlanRow]:
        with self.sessions() as s:
            return list(s.scalars(select(PlanRow).where(PlanRow.status.in_(statuses)).order_by(PlanRow.id)))

    def set_plan_fields(self, plan_id: int, **fields: Any) -> None:
        with self.sessions.begin() as s:
            s.execute(update(PlanRow).where(PlanRow.id == plan_id).values(**fields))

    def transition(self, plan_id: int, from_status: str, to_status: str, now: datetime, **fields: Any) -> bool:
        """Move a plan between states only if it is still in ``from_status``. True if this call won."""
        values: dict[str, Any] = {"status": to_status, "version": PlanRow.version + 1, **fields}
        if to_status in (PlanStatus.APPROVED, PlanStatus.REJECTED, PlanStatus.EXPIRED):
            values["decided_at"] = now
        if to_status == PlanStatus.APPLIED:
            values["applied_at"] = now
        with self.sessions.begin() as s:
            result = s.execute(
                update(PlanRow).where(PlanRow.id == plan_id, PlanRow.status == from_status).values(**values)
            )
            return result.rowcount == 1

    def add_approval(self, plan_id: int, user_id: str, now: datetime) -> int | None:
        """Record one person's approval; None if they had already approved. Returns the count."""
        try:
            with self.sessions.begin() as s:
                s.add(ApprovalRow(plan_id=plan_id, user_id=user_id, at=now))
        except IntegrityError:
            return None
        return self.approval_count(plan_id)

    def approval_count(self, plan_id: int) -> int:
        with self.sessions() as s:
            return s.scalar(select(func.count()).select_from(ApprovalRow).where(ApprovalRow.plan_id == plan_id)) or 0

    def approvers(self, plan_id: int) -> list[str]:
        with self.sessions() as s:
            stmt = select(ApprovalRow.user_id).where(ApprovalRow.plan_id == plan_id).order_by(ApprovalRow.id)
            return list(s.scalars(stmt))

    def settle_request(self, request_id: int) -> None:
        """Mark a request done once none of its plans is waiting for a decision or being applied."""
        live = (PlanStatus.PROPOSED, PlanStatus.APPROVED, PlanStatus.APPLYING)
        with self.sessions.begin() as s:
            waiting = s.scalar(
                select(func.count())
                .select_from(PlanRow)
                .where(PlanRow.request_id == request_id, PlanRow.status.in_(live))
            )
            if not waiting:
                s.execute(update(RequestRow).where(RequestRow.id == request_id).values(state="done"))

    # step runs ------------------------------------------------------------------------------
    def record_intent(self, plan_id: int, index: int, step: dict[str, Any], now: datetime) -> None:
        """Commit that step ``index`` of ``plan_id`` is about to be written (before the write itself)."""
        with self.sessions.begin() as s:
            s.add(
                StepRunRow(
                    plan_id=plan_id,
                    step_index=index,
                    op=step["op"],
                    params=step["params"],
                    before=step["before"],
                    after=step["after"],
                    state="intent",
                    error="",
                    started_at=now,
                )
            )

    def record_outcome(
        self, plan_id: int, index: int, state: str, now: datetime, observed: Any = None, error: str = ""
    ) -> None:
        """What came of a step's write (``applied`` with what was read back, ``failed``, ``rolled_back``)."""
        values: dict[str, Any] = {"state": state, "finished_at": now}
        if observed is not None:
            values["observed"] = observed
        if error:
            values["error"] = error[:2000]
        with self.sessions.begin() as s:
            s.execute(
                update(StepRunRow).where(StepRunRow.plan_id == plan_id, StepRunRow.step_index == index).values(**values)
            )

    def record_reconciled(
        self, plan_id: int, index: int, step: dict[str, Any], state: str, live: Any, now: datetime, error: str = ""
    ) -> None:
        """What start-up reconciliation found live for a step; a row is added for a step never started."""
        with self.sessions.begin() as s:
            row = s.scalars(
                select(StepRunRow).where(StepRunRow.plan_id == plan_id, StepRunRow.step_index == index)
            ).first()
            if row is None:
                row = StepRunRow(
                    plan_id=plan_id,
                    step_index=index,
                    op=step["op"],
                    params=step["params"],
                    before=step["before"],
                    after=step["after"],
                    error="",
                )
                s.add(row)
            row.state, row.live, row.reconciled_at = state, live, now
            if error:
                row.error = ((row.error + "; ") if row.error else "") + error[:1000]

    def step_runs(self, plan_id: int) -> list[StepRunRow]:
        with self.sessions() as s:
            return list(
                s.scalars(select(StepRunRow).where(StepRunRow.plan_id == plan_id).order_by(StepRunRow.step_index))
            )

    # audit --------------------------------------------------------------------------------
    def audit(self, event: AuditEvent, now: datetime) -> int:
        with self.sessions.begin() as s:
            row = AuditRow(at=now, **{k: (str(v) if k == "kind" else v) for k, v in asdict(event).items()})
            s.add(row)
            s.flush()
            return row.id

    def audit_rows(
        self, limit: int | None = None, since: datetime | None = None, plan_id: int | None = None
    ) -> list[AuditRow]:
        with self.sessions() as s:
            stmt = select(AuditRow)
            if since is not None:
                stmt = stmt.where(AuditRow.at >= since)
            if plan_id is not None:
                stmt = stmt.where(AuditRow.plan_id == plan_id)
            stmt = stmt.order_by(AuditRow.id.desc())
            if limit:
                stmt = stmt.limit(limit)
            return list(reversed(list(s.scalars(stmt))))

    def audit_count(self) -> int:
        with self.sessions() as s:
            return s.scalar(select(func.count()).select_from(AuditRow)) or 0

    # idempotency ----------------------------------------------------------------------------
    def first_time(self, key: str, now: datetime) -> bool:
        """True the first time ``key`` is seen (event id, retried delivery); False afterwards."""
        try:
            with self.sessions.begin() as s:
                s.add(SeenEventRow(key=key[:128], at=now))
            return True
        except IntegrityError:
            return False


def as_dicts(rows: Iterable[AuditRow]) -> list[dict[str, Any]]:
    cols = [
        "id",
        "at",
        "kind",
        "actor",
        "summary",
        "request_id",
        "plan_id",
        "before",
        "after",
        "channel",
        "thread_ts",
        "ref",
    ]
    return [{c: getattr(r, c) for c in cols} for r in rows]
