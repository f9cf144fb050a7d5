"""Checking an applied RDS plan: the database reached its state, or the schedule/override is in place.

Called by ``RdsDiagnoser.verify`` after the services layer applied a plan.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from bot.cloud.context import ClusterContext
from bot.domain import FixPlan, Msg, Verification
from handlers.rds import inputs
from handlers.rds.discovery import describe_target
from handlers.rds.schedule import override_state, schedule_state


def verify_plan(ctx: ClusterContext, plan: FixPlan) -> Verification:
    v = plan.verify
    if v.get("check") == "schedule":
        found = next((s for s in inputs.book(ctx).schedules() if s.key == (v["kind"], v["id"])), None)
        ok = schedule_state(found) == v["after"]
        done_ko = "적용되었습니다" if ok else "적용되지 않았습니다"
        return Verification(
            ok, Msg(f"schedule of {v['id']} {'is' if ok else 'is not'} in place", f"{v['id']} 스케줄이 {done_ko}")
        )
    if v.get("check") == "override":
        now = ctx.clock()
        live = override_state(inputs.book(ctx).overrides(now), v["kind"], v["id"], now)
        ok = live is not None and live["until"] >= v["until"]
        return Verification(
            ok,
            Msg(
                f"override on {v['id']} {'is active' if ok else 'is missing'}",
                f"{v['id']} 실행 유지 {'적용됨' if ok else '없음'}",
            ),
        )
    return _wait_for_state(ctx, v)


def _wait_for_state(ctx: ClusterContext, v: Mapping[str, Any]) -> Verification:
    deadline = time.monotonic() + ctx.wait_seconds
    while True:
        db = describe_target(ctx.aws, v["kind"], v["id"]).get(v["kind"], v["id"])
        state = db.state if db else "missing"
        if db is not None and state == v["expect"]:
            return Verification(ok=True, message=Msg(f"{v['id']} is {db.status}", f"{v['id']} 상태: {db.status}"))
        if time.monotonic() >= deadline:
            msg = Msg(f"{v['id']} is {state}, expected {v['expect']}", f"{v['id']} 상태 {state}, 기대 {v['expect']}")
            return Verification(ok=False, message=msg, pending=state in ("stopping", "starting"))
        time.sleep(ctx.poll_seconds)
