"""Adapters from the schedule tables to the pure records of ``handlers.rds``.

``RepoScheduleBook`` satisfies ``handlers.rds.inputs.ScheduleBook`` and ``ScheduleStore``: the
feature's ports (``ctx.ports``) hold one, so the diagnoser shows and compares schedules, the
schedule plan operations write them, the sweep logs its actions and the weekly report reads them,
none of them knowing SQL.
"""

from __future__ import annotations

from datetime import datetime

from handlers.rds.model import ActionRecord
from handlers.rds.persistence.tables import OverrideView, RdsActionRow, RdsScheduleRow, ScheduleRepo
from handlers.rds.schedule import Override, Schedule


def to_schedule(row: RdsScheduleRow) -> Schedule:
    return Schedule(row.target_kind, row.target_id, row.stop_cron, row.start_cron, row.tz, row.id, row.enabled)


def to_override(view: OverrideView) -> Override:
    return Override(view.target_kind, view.target_id, view.until, view.reason, view.created_by)


def to_record(row: RdsActionRow) -> ActionRecord:
    return ActionRecord(row.at, row.target_kind, row.target_id, row.action, row.cause, row.result, row.detail)


class RepoScheduleBook:
    def __init__(self, repo: ScheduleRepo, cluster_key: str = ""):
        self.repo = repo
        self.cluster_key = cluster_key

    def schedules(self) -> list[Schedule]:
        return [to_schedule(r) for r in self.repo.list_schedules(self.cluster_key, enabled_only=True)]

    def every_schedule(self) -> list[Schedule]:
        """The enabled schedules of every cluster key, oldest first."""
        return [to_schedule(r) for r in self.repo.list_schedules(enabled_only=True)]

    def overrides(self, now: datetime) -> list[Override]:
        return [to_override(o) for o in self.repo.active_overrides(now)]

    def overrides_created(self, since: datetime, until: datetime) -> list[Override]:
        return [to_override(o) for o in self.repo.overrides_between(since, until)]

    def schedule(self, target_kind: str, target_id: str, cluster_key: str) -> Schedule | None:
        row = self.repo.get_schedule(target_kind, target_id, cluster_key)
        return to_schedule(row) if row is not None else None

    def save_schedule(
        self, schedule: Schedule, cluster_key: str, created_by: str, approved_by: str, now: datetime
    ) -> Schedule:
        row = self.repo.upsert_schedule(
            schedule.target_kind,
            schedule.target_id,
            schedule.stop_cron,
            schedule.start_cron,
            schedule.tz,
            created_by=created_by,
            approved_by=approved_by,
            cluster_key=cluster_key,
            enabled=schedule.enabled,
            now=now,
        )
        return to_schedule(row)

    def add_override(self, schedule_id: int, until: datetime, reason: str, created_by: str, now: datetime) -> None:
        self.repo.add_override(schedule_id, until, reason, created_by, now=now)

    def end_overrides(self, schedule_id: int, now: datetime) -> None:
        self.repo.end_overrides(schedule_id, now)

    def record_action(
        self, target_kind: str, target_id: str, action: str, cause: str, result: str, detail: str, at: datetime
    ) -> None:
        self.repo.record_action(target_kind, target_id, action, cause, result, detail, at=at)

    def actions(self, since: datetime, until: datetime, action: str | None = None) -> list[ActionRecord]:
        return [to_record(r) for r in self.repo.actions_between(since, until, action=action)]
