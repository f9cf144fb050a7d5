"""Tables and repository for RDS schedules, keep-running overrides and the action log.

The schema is created by Alembic (``handlers/rds/migrations/0002_rds_schedules.py``); these models
mirror it, on the bot's shared metadata. ``ScheduleRepo`` is the only place that writes SQL for
them; the rest of the feature reaches it through ``book.RepoScheduleBook``. Each method is one
short transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from bot.store.base import Base, UtcDateTime, utcnow


class RdsScheduleRow(Base):
    """A stop/start schedule for one cluster or instance, approved by ops."""

    __tablename__ = "rds_schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_key: Mapped[str] = mapped_column(String(128), default="")
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(String(255))
    stop_cron: Mapped[str] = mapped_column(String(128))
    start_cron: Mapped[str] = mapped_column(String(128))
    tz: Mapped[str] = mapped_column(String(64))  # always written explicitly (no default, as in the schema)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    approved_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("cluster_key", "target_kind", "target_id", name="uq_rds_schedules_target"),)


class RdsOverrideRow(Base):
    """Keep a scheduled database running until ``until`` (expires by itself)."""

    __tablename__ = "rds_overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("rds_schedules.id", ondelete="CASCADE"))
    until: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (Index("ix_rds_overrides_until", "until"),)


class RdsActionRow(Base):
    """One stop/start done or observed, and its cause.

    ``cause`` is ``schedule:<id>``, ``user:<slack id>``, ``self_restart`` or ``tag:<key=value>``.
    """

    __tablename__ = "rds_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(16))
    cause: Mapped[str] = mapped_column(String(96))
    result: Mapped[str] = mapped_column(String(16), default="ok")
    detail: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_rds_actions_at", "at"),)


@dataclass(frozen=True)
class OverrideView:
    """An override joined with its schedule's target."""

    id: int
    schedule_id: int
    target_kind: str
    target_id: str
    until: datetime
    reason: str
    created_by: str


class ScheduleRepo:
    def __init__(self, session_factory: sessionmaker[Session]):
        self.sessions = session_factory

    def upsert_schedule(
        self,
        target_kind: str,
        target_id: str,
        stop_cron: str,
        start_cron: str,
        tz: str,
        created_by: str = "",
        approved_by: str = "",
        cluster_key: str = "",
        *,
        enabled: bool = True,
        now: datetime | None = None,
    ) -> RdsScheduleRow:
        """Create or replace the schedule of one target (unique per cluster_key, kind, id)."""
        now = now or utcnow()
        with self.sessions.begin() as s:
            row = s.scalars(
                select(RdsScheduleRow)
                .where(
                    RdsScheduleRow.cluster_key == cluster_key,
                    RdsScheduleRow.target_kind == target_kind,
                    RdsScheduleRow.target_id == target_id,
                )
                .with_for_update()
            ).first()
            if row is None:
                row = RdsScheduleRow(
                    cluster_key=cluster_key,
                    target_kind=target_kind,
                    target_id=target_id,
                    created_by=created_by,
                    created_at=now,
                )
                s.add(row)
            row.stop_cron, row.start_cron, row.tz, row.enabled = stop_cron, start_cron, tz, enabled
            row.approved_by, row.updated_at = approved_by, now
            s.flush()
            s.expunge(row)
            return row

    def list_schedules(self, cluster_key: str | None = None, *, enabled_only: bool = False) -> list[RdsScheduleRow]:
        with self.sessions() as s:
            stmt = select(RdsScheduleRow).order_by(RdsScheduleRow.id)
            if cluster_key is not None:
                stmt = stmt.where(RdsScheduleRow.cluster_key == cluster_key)
            if enabled_only:
                stmt = stmt.where(RdsScheduleRow.enabled.is_(True))
            return list(s.scalars(stmt))

    def get_schedule(self, target_kind: str, target_id: str, cluster_key: str = "") -> RdsScheduleRow | None:
        with self.sessions() as s:
            return s.scalars(
                select(RdsScheduleRow).where(
                    RdsScheduleRow.cluster_key == cluster_key,
                    RdsScheduleRow.target_kind == target_kind,
                    RdsScheduleRow.target_id == target_id,
                )
            ).first()

    def add_override(
        self,
        schedule_id: int,
        until: datetime,
        reason: str = "",
        created_by: str = "",
        now: datetime | None = None,
    ) -> RdsOverrideRow:
        with self.sessions.begin() as s:
            row = RdsOverrideRow(
                schedule_id=schedule_id,
                until=until,
                reason=reason,
                created_by=created_by,
                created_at=now or utcnow(),
            )
            s.add(row)
            s.flush()
            s.expunge(row)
            return row

    def end_overrides(self, schedule_id: int, now: datetime) -> int:
        """Expire the live overrides of a schedule now (the revert of keep-running)."""
        with self.sessions.begin() as s:
            rows = s.scalars(
                select(RdsOverrideRow).where(RdsOverrideRow.schedule_id == schedule_id, RdsOverrideRow.until > now)
            ).all()
            for row in rows:
                row.until = now
            return len(rows)

    def _override_views(self, *where: Any) -> list[OverrideView]:
        """Overrides matching ``where``, each joined with its schedule's target, oldest first."""
        with self.sessions() as s:
            stmt = (
                select(RdsOverrideRow, RdsScheduleRow)
                .join(RdsScheduleRow, RdsOverrideRow.schedule_id == RdsScheduleRow.id)
                .where(*where)
                .order_by(RdsOverrideRow.id)
            )
            return [
                OverrideView(o.id, o.schedule_id, sch.target_kind, sch.target_id, o.until, o.reason, o.created_by)
                for o, sch in s.execute(stmt)
            ]

    def active_overrides(self, now: datetime) -> list[OverrideView]:
        return self._override_views(RdsOverrideRow.until > now)

    def overrides_between(self, since: datetime, until: datetime) -> list[OverrideView]:
        """Overrides created in [since, until) (for the weekly report)."""
        return self._override_views(RdsOverrideRow.created_at >= since, RdsOverrideRow.created_at < until)

    def record_action(
        self,
        target_kind: str,
        target_id: str,
        action: str,
        cause: str,
        result: str = "ok",
        detail: str = "",
        at: datetime | None = None,
    ) -> RdsActionRow:
        with self.sessions.begin() as s:
            row = RdsActionRow(
                at=at or utcnow(),
                target_kind=target_kind,
                target_id=target_id,
                action=action,
                cause=cause,
                result=result,
                detail=detail[:4000],
            )
            s.add(row)
            s.flush()
            s.expunge(row)
            return row

    def actions_between(self, since: datetime, until: datetime, action: str | None = None) -> list[RdsActionRow]:
        """Actions with ``since <= at < until``, oldest first (optionally only one ``action``)."""
        with self.sessions() as s:
            stmt = select(RdsActionRow).where(RdsActionRow.at >= since, RdsActionRow.at < until)
            if action is not None:
                stmt = stmt.where(RdsActionRow.action == action)
            return list(s.scalars(stmt.order_by(RdsActionRow.at, RdsActionRow.id)))
