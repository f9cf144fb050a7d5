"""Plan operations that write the bot's own schedule tables: ``rds.schedule.upsert`` and ``rds.override.add``.

The RDS diagnoser proposes these steps (shapes in ``handlers.rds.diagnoser``); the services layer
applies them like any other operation once ops approve. They reach the tables only through the
``ScheduleStore`` in ``ctx.ports`` (``handlers.rds.inputs``). ``read`` returns the same JSON shape
the diagnoser put in ``before`` (``handlers.rds.schedule.schedule_state`` / ``override_state``), so
a schedule changed since the plan was made makes the plan stale. A disabled schedule reads as None.
The approver, when the services layer knows it, comes from ``ctx.approved_by``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.cloud.context import ClusterContext
from bot.domain import Msg, PlanStep, Risk
from bot.errors import NotFound
from handlers.rds import inputs
from handlers.rds.diagnoser import OVERRIDE_ADD, SCHEDULE_UPSERT
from handlers.rds.schedule import Schedule, override_state, schedule_state


def _key(params: Mapping[str, Any]) -> tuple[str, str, str]:
    return params["target_kind"], params["target_id"], params.get("cluster_key", "")


class UpsertSchedule:
    name = SCHEDULE_UPSERT
    min_risk = Risk.LOW
    reversible = True

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        found = inputs.store(ctx).schedule(*_key(params))
        return schedule_state(found) if found is not None and found.enabled else None

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        p, after, store = step.params, step.after, inputs.store(ctx)
        kind, ident, cluster_key = _key(p)
        if after is None:
            found = store.schedule(kind, ident, cluster_key)
            if found is not None:
                store.save_schedule(replace(found, enabled=False), cluster_key, "", ctx.approved_by, ctx.clock())
        else:
            wanted = Schedule(
                kind, ident, after["stop_cron"], after["start_cron"], after["tz"], None, bool(after["enabled"])
            )
            store.save_schedule(wanted, cluster_key, str(p.get("requested_by", "")), ctx.approved_by, ctx.clock())
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

    def read(self, ctx: ClusterContext, params: Mapping[str, Any]) -> Any:
        now = ctx.clock()
        return override_state(inputs.store(ctx).overrides(now), params["target_kind"], params["target_id"], now)

    def apply(self, ctx: ClusterContext, step: PlanStep) -> Any:
        p, store = step.params, inputs.store(ctx)
        found = store.schedule(*_key(p))
        if found is None or found.id is None:
            raise NotFound("rds:override", "NoSchedule", f"{p['target_id']} has no schedule to override")
        now = ctx.clock()
        if step.after is None:
            store.end_overrides(found.id, now)
        else:
            until = datetime.fromisoformat(step.after["until"])
            store.add_override(found.id, until, str(p.get("reason", "")), str(p.get("requested_by", "")), now)
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


OPERATIONS = (UpsertSchedule(), AddOverride())
