"""Tables of the spine: requests (one Slack thread each), plans, their step runs, approvals, audit, seen events,
and the jobs that carry acked work to the workers.

The schema is created and changed only by Alembic (``bot/migrations/``); these models mirror it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.base import Base, JsonType, UtcDateTime, utcnow


class RequestRow(Base):
    """One user request and the Slack thread that tells its story."""

    __tablename__ = "requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    user_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(64))
    thread_ts: Mapped[str] = mapped_column(String(32), default="")
    status_ts: Mapped[str] = mapped_column(String(32), default="")
    lang: Mapped[str] = mapped_column(String(4), default="en")
    text: Mapped[str] = mapped_column(Text, default="")
    intent: Mapped[str] = mapped_column(String(64))
    entities: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    target: Mapped[str] = mapped_column(String(255), default="")
    cluster: Mapped[str] = mapped_column(String(128), default="")
    account_id: Mapped[str] = mapped_column(String(32), default="")
    state: Mapped[str] = mapped_column(String(32), default="open")
    diagnosis: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    # the delivery that created it (``trigger:...``, ``msg:...``): a retried job finds its request by it
    once_key: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)

    __table_args__ = (Index("ix_requests_target_state", "target", "state"),)


class PlanRow(Base):
    """A proposed change, its status and its steps; buttons carry only ``id``."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"))
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[dict[str, str]] = mapped_column(JsonType)
    target: Mapped[str] = mapped_column(String(255), default="")
    risk: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    steps: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
    verify: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    requested_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    applied_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    approvals_needed: Mapped[int] = mapped_column(Integer, default=1)
    message_ts: Mapped[str] = mapped_column(String(32), default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    reverts_plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_plans_status", "status"),)


class StepRunRow(Base):
    """One step of a plan being applied: the intent, written and committed before the write, then its outcome.

    ``state`` is ``intent`` while the write may be in flight, then ``applied`` (``observed`` is what the
    operation read back), ``failed`` (``error``) or ``rolled_back``. A replica killed between the write
    and its outcome leaves ``intent``; start-up reconciliation then reads the live state into ``live``
    and settles the step as ``applied``, ``not_applied`` or ``unknown`` (``reconciled_at``). Steps
    reconciliation finds with no intent row at all get a row too, with ``started_at`` empty.
    """

    __tablename__ = "step_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    step_index: Mapped[int] = mapped_column(Integer)
    op: Mapped[str] = mapped_column(String(128))
    params: Mapped[dict[str, Any]] = mapped_column(JsonType)
    before: Mapped[Any] = mapped_column(JsonType, nullable=True)
    after: Mapped[Any] = mapped_column(JsonType, nullable=True)
    state: Mapped[str] = mapped_column(String(16))
    observed: Mapped[Any] = mapped_column(JsonType, nullable=True)
    live: Mapped[Any] = mapped_column(JsonType, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reconciled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)

    __table_args__ = (UniqueConstraint("plan_id", "step_index", name="uq_step_runs_plan_step"),)


class ApprovalRow(Base):
    """One approver's click. Unique per (plan, user) so a person counts once."""

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    user_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("plan_id", "user_id", name="uq_approvals_plan_user"),)


class AuditRow(Base):
    """Append-only audit log: database triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    request_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    plan_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    before: Mapped[Any] = mapped_column(JsonType, nullable=True)
    after: Mapped[Any] = mapped_column(JsonType, nullable=True)
    channel: Mapped[str] = mapped_column(String(64), default="")
    thread_ts: Mapped[str] = mapped_column(String(32), default="")
    ref: Mapped[str] = mapped_column(String(32), default="")

    __table_args__ = (Index("ix_audit_events_at", "at"),)


class SeenEventRow(Base):
    """Slack deliveries already handled (event ids, retried command bodies): idempotency keys."""

    __tablename__ = "seen_events"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class JobRow(Base):
    """Work a listener acked and owes an answer for: one lazy listener call, run by whichever worker claims it.

    ``state``: ``queued`` (waiting, or released), ``running`` (claimed; ``lease_until`` says until when
    the claim holds without a heartbeat), ``done`` or ``failed`` (every attempt used). ``dedupe_key``
    is unique: the same Slack delivery acked twice is one job.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(128))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonType)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    run_after: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(128), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)

    __table_args__ = (Index("ix_jobs_state_run_after", "state", "run_after"),)


class JobWorkerRow(Base):
    """A running worker pool and when it last said so: readiness asks whether any pool can claim jobs."""

    __tablename__ = "job_workers"

    owner: Mapped[str] = mapped_column(String(128), primary_key=True)
    threads: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
