"""Adapters from the schedule tables to the pure records of ``handlers.rds``.

``RepoScheduleBook`` satisfies ``handlers.rds.diagnoser.ScheduleBook``: the composition root puts
one in ``RdsPorts`` (``ctx.ports``) so the diagnoser can show and compare schedules
without importing SQLAlchemy. Also used by the sweep job and the weekly report.
"""

from __future__ import annotations

from datetime import datetime

from bot.store.schedules import RdsActionRow, RdsScheduleRow, ScheduleRepo
from handlers.rds.model import ActionRecord
from handlers.rds.schedule import Override, Schedule


def to_schedule(row: RdsScheduleRow) -> Schedule:
    return Schedule(row.target_kind, row.target_id, row.stop_cron, row.start_cron, row.tz, row.id, row.enabled)


def to_record(row: RdsActionRow) -> ActionRecord:
    return ActionRecord(row.at, row.target_kind, row.target_id, row.action, row.cause, row.result, row.detail)


class RepoScheduleBook:
    def __init__(self, repo: ScheduleRepo, cluster_key: str = ""):
        self.repo = repo
        self.cluster_key = cluster_key

    def schedules(self) -> list[Schedule]:
        return [to_schedule(r) for r in self.repo.list_schedules(self.cluster_key, enabled_only=True)]

    def overrides(self, now: datetime) -> list[Override]:
        return [
            Override(o.target_kind, o.target_id, o.until, o.reason, o.created_by)
            for o in self.repo.active_overrides(now)
        ]
