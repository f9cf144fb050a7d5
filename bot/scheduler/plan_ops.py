"""Plan operations that write the bot's own schedule tables: ``rds.schedule.upsert`` and ``rds.override.add``.

The RDS diagnoser proposes these steps (shapes in ``handlers.rds.diagnoser``); the services layer
applies them like any other operation once ops approve. ``read`` returns the same JSON shape the
diagnoser put in ``before`` (``handlers.rds.schedule.schedule_state`` / ``override_state``), so a
schedule changed since the plan was made makes the plan stale. A disabled schedule reads as None.
The approver, when the services layer knows it, comes from ``ctx.approved_by``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.cloud.context import ClusterContext
from bot.domain import Msg, PlanStep, Risk
from bot.errors import NotFound
from bot.scheduler.book import RepoScheduleBook, to_schedule
from bot.store.schedules import ScheduleRepo
from handlers.rds.diagnoser import OVERRIDE_ADD, SCHEDULE_UPSERT
from handlers.rds.schedule import override_state, schedule_state


class UpsertSchedule:
    name = SCHEDULE_UPSERT
    min_risk = Risk.LOW
    reversible = True

    def __init__(self, repo: ScheduleRepo):
        self.repo = repo

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        row = self.repo.get_schedule(params["target_kind"], params["target_id"], params.get("cluster_key", ""))
        return schedule_state(to_schedule(row)) if row is not None and row.enabled else None

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        p, after = step.params, step.after
        approver = ctx.approved_by
        if after is None:
            row = self.repo.get_schedule(p["target_kind"], p["target_id"], p.get("cluster_key", ""))
            if row is not None:
                self.repo.upsert_schedule(
                    row.target_kind,
                    row.target_id,
                    row.stop_cron,
                    row.start_cron,
                    row.tz,
                    approved_by=approver,
                    cluster_key=row.cluster_key,
                    enabled=False,
                    now=ctx.clock(),
                )
        else:
            self.repo.upsert_schedule(
                p["target_kind"],
                p["target_id"],
                after["stop_cron"],
                after["start_cron"],
                after["tz"],
                created_by=str(p.get("requested_by", "")),
                approved_by=approver,
                cluster_key=p.get("cluster_key", ""),
                enabled=bool(after["enabled"]),
                now=ctx.clock(),
            )
        return self.read(ctx, p)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        ident = step.params["target_id"]
        desc = (
            Msg(f"Remove the schedule of {ident}", f"{ident} 스케줄 해제")
            if step.before is None
            else Msg(f"Restore the previous schedule of {ident}", f"{ident} 이전 스케줄로 복원")
        )
        return PlanStep(self.name, dict(step.params), observed_after, step.before, desc)


class AddOverride:
    name = OVERRIDE_ADD
    min_risk = Risk.LOW
    reversible = True

    def __init__(self, repo: ScheduleRepo):
        self.repo = repo

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        now = ctx.clock()
        return override_state(
            RepoScheduleBook(self.repo, params.get("cluster_key", "")).overrides(now),
            params["target_kind"],
            params["target_id"],
            now,
        )

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        p = step.params
        row = self.repo.get_schedule(p["target_kind"], p["target_id"], p.get("cluster_key", ""))
        if row is None:
            raise NotFound("rds:override", "NoSchedule", f"{p['target_id']} has no schedule to override")
        now = ctx.clock()
        if step.after is None:
            self.repo.end_overrides(row.id, now)
        else:
            self.repo.add_override(
                row.id,
                datetime.fromisoformat(step.after["until"]),
                str(p.get("reason", "")),
                str(p.get("requested_by", "")),
                now=now,
            )
        return self.read(ctx, p)

    def revert(self, step: PlanStep, observed_after: Any) -> PlanStep | None:
        ident = step.params["target_id"]
        return PlanStep(
            self.name,
            dict(step.params),
            observed_after,
            None,
            Msg(f"End the keep-running override of {ident} now", f"{ident} 실행 유지 지금 종료"),
        )


def plan_operations(repo: ScheduleRepo) -> tuple[UpsertSchedule, AddOverride]:
    """The two operations, bound to the repository (the composition root registers them)."""
    return (UpsertSchedule(repo), AddOverride(repo))
