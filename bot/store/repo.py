"""Repository of the spine tables: the only place that writes SQL for requests, plans, step runs and audit.

Each method is one short transaction of its own, unless it runs inside a unit of work
(``with repo.unit() as uow: ...; uow.commit()``): then every method called in that block, in this
thread, joins the unit's one transaction, so a decision, its state change and its audit row commit
together or not at all. What comes back is a frozen record (``bot.store.records``), read inside the
session, never a SQLAlchemy row. Approval is a single-use conditional update, so two clicks, two
retries or two replicas can never move a plan forward twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import AuditEvent, PlanStatus
from bot.store.models import ApprovalRow, AuditRow, PlanRow, RequestRow, SeenEventRow, StepRunRow
from bot.store.records import AuditRecord, PlanRecord, RequestRecord, StepRunRecord

R = TypeVar("R", RequestRecord, PlanRecord, StepRunRecord, AuditRecord)


def _record(kind: type[R], row: Any) -> R:
    """A frozen copy of ``row`` (an ORM row or a result row with the same names), field by field."""
    return kind(**{f.name: getattr(row, f.name) for f in fields(kind)})


def _records(kind: type[R], rows: Iterable[Any]) -> list[R]:
    return [_record(kind, row) for row in rows]


class UnitOfWork:
    """One transaction that the repository's methods join while the ``with`` block runs.

    Nothing is written unless ``commit()`` is called; leaving the block otherwise (an exception, a
    return before the commit) rolls everything back. After ``commit()`` the unit is over: later calls
    in the block run in transactions of their own. A unit opened inside another joins the outer.
    """

    def __init__(self, finish: Callable[[], None] | None):
        self._finish = finish  # None for a unit joined to an outer one
        self.committed = False

    def commit(self) -> None:
        if not self.committed and self._finish is not None:
            self._finish()
        self.committed = True


class Repo:
    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions
        self._unit: ContextVar[Connection | None] = ContextVar(f"unit-{id(self)}", default=None)

    @contextmanager
    def unit(self) -> Iterator[UnitOfWork]:
        if self._unit.get() is not None:  # joined: the outer unit commits
            yield UnitOfWork(None)
            return
        engine = self.sessions.kw["bind"]
        with engine.connect() as connection:
            connection.begin()  # the sessions below join this transaction instead of starting their own
            token = self._unit.set(connection)

            def finish() -> None:
                connection.commit()
                self._unit.reset(token)

            uow = UnitOfWork(finish)
            try:
                yield uow
            finally:
                if not uow.committed:
                    self._unit.reset(token)
                    connection.rollback()

    @contextmanager
    def _session(self, *, write: bool) -> Iterator[Session]:
        """A session for one method: its own transaction, or the open unit's."""
        connection = self._unit.get()
        if connection is None:
            with self.sessions.begin() if write else self.sessions() as s:
                yield s
            return
        # The unit owns the transaction: this session neither commits nor rolls it back.
        with Session(bind=connection, join_transaction_mode="rollback_only", expire_on_commit=False) as s:
            yield s
            s.flush()

    @staticmethod
    def _insert_once(s: Session, table: Any, **values: Any) -> bool:
        """Insert a row unless one with the same unique key exists; True if this call inserted it.

        ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` (SQLite 3.35+, PostgreSQL 9.5+): a duplicate
        leaves the transaction usable, so this is safe inside a unit of work without a savepoint. The
        returned row says whether it was inserted (psycopg reports no row count for this statement)."""
        insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
        key = next(iter(table.__table__.primary_key.columns))
        stmt = insert(table).values(**values).on_conflict_do_nothing().returning(key)
        return s.execute(stmt).first() is not None

    # requests ---------------------------------------------------------------------------
    def add_request(self, **values: Any) -> RequestRecord:
        with self._session(write=True) as s:
            row = RequestRow(**values)
            s.add(row)
            s.flush()
            return _record(RequestRecord, row)

    def get_request(self, request_id: int) -> RequestRecord | None:
        with self._session(write=False) as s:
            row = s.get(RequestRow, request_id)
            return _record(RequestRecord, row) if row is not None else None

    def update_request(self, request_id: int, **changes: Any) -> None:
        with self._session(write=True) as s:
            s.execute(update(RequestRow).where(RequestRow.id == request_id).values(**changes))

    def open_request_for(self, target: str) -> RequestRecord | None:
        with self._session(write=False) as s:
            stmt = (
                select(RequestRow)
                .where(RequestRow.target == target, RequestRow.state == "open")
                .order_by(RequestRow.id.desc())
                .limit(1)
            )
            row = s.scalars(stmt).first()
            return _record(RequestRecord, row) if row is not None else None

    def request_by_once_key(self, once_key: str) -> RequestRecord | None:
        """The request a delivery created (``Ask.once_key``), if it created one."""
        if not once_key:
            return None
        with self._session(write=False) as s:
            stmt = select(RequestRow).where(RequestRow.once_key == once_key[:128]).limit(1)
            row = s.scalars(stmt).first()
            return _record(RequestRecord, row) if row is not None else None

    def request_by_thread(self, channel: str, thread_ts: str) -> RequestRecord | None:
        with self._session(write=False) as s:
            stmt = (
                select(RequestRow)
                .where(RequestRow.channel == channel, RequestRow.thread_ts == thread_ts)
                .order_by(RequestRow.id.desc())
                .limit(1)
            )
            row = s.scalars(stmt).first()
            return _record(RequestRecord, row) if row is not None else None

    def requests_of(self, user_id: str, limit: int = 10) -> list[RequestRecord]:
        with self._session(write=False) as s:
            stmt = select(RequestRow).where(RequestRow.user_id == user_id).order_by(RequestRow.id.desc()).limit(limit)
            return _records(RequestRecord, s.scalars(stmt))

    def latest_requests(self, limit: int = 50) -> list[RequestRecord]:
        """The newest requests first, whoever filed them."""
        with self._session(write=False) as s:
            return _records(RequestRecord, s.scalars(select(RequestRow).order_by(RequestRow.id.desc()).limit(limit)))

    # plans ------------------------------------------------------------------------------
    def add_plan(self, **values: Any) -> PlanRecord:
        with self._session(write=True) as s:
            row = PlanRow(**values)
            s.add(row)
            s.flush()
            return _record(PlanRecord, row)

    def get_plan(self, plan_id: int) -> PlanRecord | None:
        with self._session(write=False) as s:
            row = s.get(PlanRow, plan_id)
            return _record(PlanRecord, row) if row is not None else None

    def plan_with_request(self, plan_id: int) -> tuple[PlanRecord | None, RequestRecord | None]:
        """A plan and its request, read by one statement; (None, None) if there is no such plan."""
        stmt = select(PlanRow, RequestRow).outerjoin(RequestRow, RequestRow.id == PlanRow.request_id)
        with self._session(write=False) as s:
            found = s.execute(stmt.where(PlanRow.id == plan_id)).first()
            if found is None:
                return None, None
            plan, req = found
            return _record(PlanRecord, plan), (_record(RequestRecord, req) if req is not None else None)

    def plans_for_request(self, request_id: int) -> list[PlanRecord]:
        with self._session(write=False) as s:
            stmt = select(PlanRow).where(PlanRow.request_id == request_id).order_by(PlanRow.id)
            return _records(PlanRecord, s.scalars(stmt))

    def plans_with_status(self, *statuses: str) -> list[PlanRecord]:
        with self._session(write=False) as s:
            stmt = select(PlanRow).where(PlanRow.status.in_(statuses)).order_by(PlanRow.id)
            return _records(PlanRecord, s.scalars(stmt))

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
            return _records(PlanRecord, s.scalars(stmt))

    def plans_waiting(self, now: datetime, limit: int, not_requested_by: str = "") -> list[PlanRecord]:
        """Up to ``limit`` proposed plans still open at ``now``, oldest first, leaving out those
        ``not_requested_by`` asked for (a person cannot approve their own)."""
        with self._session(write=False) as s:
            stmt = select(PlanRow).where(PlanRow.status == PlanStatus.PROPOSED, PlanRow.expires_at > now)
            if not_requested_by:
                stmt = stmt.where(PlanRow.requested_by != not_requested_by)
            return _records(PlanRecord, s.scalars(stmt.order_by(PlanRow.id).limit(limit)))

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
            return _record(PlanRecord, row) if row is not None else None

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

    def settle_request(self, request_id: int) -> None:
        """Mark a request done once none of its plans is waiting for a decision or being applied: one
        conditional update."""
        live = (PlanStatus.PROPOSED, PlanStatus.APPROVED, PlanStatus.APPLYING)
        waiting = select(PlanRow.id).where(PlanRow.request_id == request_id, PlanRow.status.in_(live)).exists()
        with self._session(write=True) as s:
            s.execute(update(RequestRow).where(RequestRow.id == request_id, ~waiting).values(state="done"))

    # step runs ------------------------------------------------------------------------------
    def record_intent(self, plan_id: int, index: int, step: dict[str, Any], now: datetime) -> None:
        """Commit that step ``index`` of ``plan_id`` is about to be written (before the write itself)."""
        with self._session(write=True) as s:
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

    def step_runs(self, plan_id: int) -> list[StepRunRecord]:
        with self._session(write=False) as s:
            stmt = select(StepRunRow).where(StepRunRow.plan_id == plan_id).order_by(StepRunRow.step_index)
            return _records(StepRunRecord, s.scalars(stmt))

    # audit --------------------------------------------------------------------------------
    def audit(self, event: AuditEvent, now: datetime) -> int:
        with self._session(write=True) as s:
            row = AuditRow(at=now, **{k: (str(v) if k == "kind" else v) for k, v in asdict(event).items()})
            s.add(row)
            s.flush()
            return row.id

    def audit_rows(
        self, limit: int | None = None, since: datetime | None = None, plan_id: int | None = None
    ) -> list[AuditRecord]:
        with self._session(write=False) as s:
            stmt = select(AuditRow)
            if since is not None:
                stmt = stmt.where(AuditRow.at >= since)
            if plan_id is not None:
                stmt = stmt.where(AuditRow.plan_id == plan_id)
            stmt = stmt.order_by(AuditRow.id.desc())
            if limit:
                stmt = stmt.limit(limit)
            return _records(AuditRecord, reversed(list(s.scalars(stmt))))

    def audit_count(self) -> int:
        with self._session(write=False) as s:
            return s.scalar(select(func.count()).select_from(AuditRow)) or 0

    # idempotency ----------------------------------------------------------------------------
    def first_time(self, key: str, now: datetime) -> bool:
        """True the first time ``key`` is seen (event id, retried delivery); False afterwards."""
        with self._session(write=True) as s:
            return self._insert_once(s, SeenEventRow, key=key[:128], at=now)


def as_dicts(records: Iterable[AuditRecord]) -> list[dict[str, Any]]:
    names = [f.name for f in fields(AuditRecord)]
    return [{name: getattr(r, name) for name in names} for r in records]
