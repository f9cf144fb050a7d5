"""Tables and repository for scheduled reports: ``report_configs`` and ``report_runs``.

The schema is created by Alembic (``bot/migrations/versions/0003_reports.py``); these models mirror it.
``ReportRepo`` is the only SQL for them; ``bot.services.reports.ReportService`` calls it with a
``sessionmaker``, each method one short transaction. A run's ``state`` is the JSON the next run
diffs against (items with their ``since``); ``content_hash`` is the hash of what was rendered, so
an unchanged report is never posted twice. Removing a report disables it (its runs stay). A run
holds a lease on its report (``claim``/``release``, migration 0005) so two runs never overlap.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from bot.store.base import Base, JsonType, UtcDateTime, utcnow


class ReportConfigRow(Base):
    """One scheduled report: what kind, where, when (cron in a time zone) and in which language."""

    __tablename__ = "report_configs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(64))
    cron: Mapped[str] = mapped_column(String(128))
    tz: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(4), default="en")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    running_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True, default=None)


class ReportRunRow(Base):
    """One run of a report: when, the hash of its content, the state diffed next time, the posted ts."""

    __tablename__ = "report_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report_configs.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    content_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    posted_ts: Mapped[str] = mapped_column(String(32), default="")

    __table_args__ = (Index("ix_report_runs_report_id_at", "report_id", "at"),)


class ReportRepo:
    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions

    # configs ------------------------------------------------------------------------------
    def add_config(
        self, kind: str, channel: str, cron: str, tz: str, created_by: str, now: datetime, lang: str = "en"
    ) -> ReportConfigRow:
        with self.sessions.begin() as s:
            row = ReportConfigRow(
                kind=kind,
                channel=channel,
                cron=cron,
                tz=tz,
                lang=lang,
                created_by=created_by,
                created_at=now,
                enabled=True,
            )
            s.add(row)
            s.flush()
            s.expunge(row)
            return row

    def get_config(self, report_id: int) -> ReportConfigRow | None:
        with self.sessions() as s:
            return s.get(ReportConfigRow, report_id)

    def list_configs(self, *, enabled_only: bool = True) -> list[ReportConfigRow]:
        with self.sessions() as s:
            stmt = select(ReportConfigRow).order_by(ReportConfigRow.id)
            if enabled_only:
                stmt = stmt.where(ReportConfigRow.enabled.is_(True))
            return list(s.scalars(stmt))

    def disable(self, report_id: int) -> bool:
        """Switch a report off; True if it was on (so two removals do not both succeed)."""
        with self.sessions.begin() as s:
            result = s.execute(
                update(ReportConfigRow)
                .where(ReportConfigRow.id == report_id, ReportConfigRow.enabled.is_(True))
                .values(enabled=False)
            )
            return result.rowcount == 1

    def claim(self, report_id: int, now: datetime, lease: timedelta) -> bool:
        """Take the report for one run (True) unless another run holds an unexpired lease on it."""
        with self.sessions.begin() as s:
            result = s.execute(
                update(ReportConfigRow)
                .where(
                    ReportConfigRow.id == report_id,
                    or_(ReportConfigRow.running_until.is_(None), ReportConfigRow.running_until < now),
                )
                .values(running_until=now + lease)
            )
            return result.rowcount == 1

    def release(self, report_id: int) -> None:
        with self.sessions.begin() as s:
            s.execute(update(ReportConfigRow).where(ReportConfigRow.id == report_id).values(running_until=None))

    # runs ---------------------------------------------------------------------------------
    def add_run(
        self, report_id: int, at: datetime, content_hash: str, state: dict[str, Any], posted_ts: str = ""
    ) -> ReportRunRow:
        with self.sessions.begin() as s:
            row = ReportRunRow(report_id=report_id, at=at, content_hash=content_hash, state=state, posted_ts=posted_ts)
            s.add(row)
            s.flush()
            s.expunge(row)
            return row

    def last_run(self, report_id: int) -> ReportRunRow | None:
        with self.sessions() as s:
            stmt = (
                select(ReportRunRow)
                .where(ReportRunRow.report_id == report_id)
                .order_by(ReportRunRow.at.desc(), ReportRunRow.id.desc())
                .limit(1)
            )
            return s.scalars(stmt).first()

    def last_posted(self, report_id: int) -> ReportRunRow | None:
        """The newest run that posted something (its ts anchors the unchanged one-liners)."""
        with self.sessions() as s:
            stmt = (
                select(ReportRunRow)
                .where(ReportRunRow.report_id == report_id, ReportRunRow.posted_ts != "")
                .order_by(ReportRunRow.at.desc(), ReportRunRow.id.desc())
                .limit(1)
            )
            return s.scalars(stmt).first()

    def runs(self, report_id: int, limit: int = 50) -> list[ReportRunRow]:
        """The newest ``limit`` runs, oldest first."""
        with self.sessions() as s:
            stmt = (
                select(ReportRunRow)
                .where(ReportRunRow.report_id == report_id)
                .order_by(ReportRunRow.at.desc(), ReportRunRow.id.desc())
                .limit(limit)
            )
            return list(reversed(list(s.scalars(stmt))))

    def recent_runs(self, limit: int = 200) -> list[ReportRunRow]:
        """The newest runs of every report, newest first (to find a button's item)."""
        with self.sessions() as s:
            stmt = select(ReportRunRow).order_by(ReportRunRow.id.desc()).limit(limit)
            return list(s.scalars(stmt))
