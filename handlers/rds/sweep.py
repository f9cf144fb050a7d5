"""One sweep: compare every schedule's desired state with the actual state and decide actions. Pure.

Rules:
- Act on the desired state now, not on the firings missed while the bot was down: a stop window
  that began hours ago gives one stop (flagged ``catch_up``), never one per missed firing.
- A database found running in a stop period that the bot itself stopped during that period has
  started itself (AWS starts a stopped database after 7 days): it is re-stopped with cause
  ``self_restart`` so the channel can be told.
- A person who stopped or started the database through the bot during the current period is
  not overruled (a keep-running override is the way to hold it running).
- AWS refusals are reported once per period (``repeat`` marks the later sweeps).
- Databases carrying the adoption tag with no schedule are proposed for the default schedule once,
  unless AWS refuses to stop them whatever their state (a Multi-AZ DB cluster, a read replica).

Called by ``handlers.rds.sweep_job`` with data it read from AWS and the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain import Msg
from bot.korean import attach
from handlers.rds.api import ApiDecision, api_target, decide
from handlers.rds.model import ActionRecord, Database, Inventory
from handlers.rds.schedule import Override, Schedule, active_override, desired_state, last_transition

PROPOSE = "propose"


@dataclass(frozen=True)
class SweepAction:
    """A stop or start to perform now through ``decision.api`` on ``decision.kind/id``."""

    schedule: Schedule
    decision: ApiDecision
    cause: str
    reason: Msg
    catch_up: bool = False

    @property
    def action(self) -> str:
        return self.decision.action

    @property
    def key(self) -> tuple[str, str]:
        return self.decision.key

    def __str__(self) -> str:
        return f"{self.action} {self.key[0]}:{self.key[1]} ({self.cause})"


@dataclass(frozen=True)
class SweepNote:
    """Something the sweep did not act on but may need telling: refusals, waits, missing targets."""

    code: str
    target_kind: str
    target_id: str
    message: Msg
    action: str = ""
    decision: ApiDecision | None = None
    repeat: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.target_kind, self.target_id)


@dataclass(frozen=True)
class SweepPlan:
    actions: tuple[SweepAction, ...] = ()
    notes: tuple[SweepNote, ...] = ()
    adoptions: tuple[Database, ...] = ()


def _since(history: Sequence[ActionRecord], key: tuple[str, str], since: datetime) -> list[ActionRecord]:
    return [r for r in history if r.key == key and r.at >= since]


def _period_start(schedule: Schedule, overrides: Sequence[Override], now: datetime) -> datetime:
    _, at = last_transition(schedule, now)
    return at


def plan_sweep(
    inv: Inventory,
    schedules: Iterable[Schedule],
    overrides: Sequence[Override],
    history: Sequence[ActionRecord],
    now: datetime,
    late_after: timedelta = timedelta(minutes=15),
) -> SweepPlan:
    actions: list[SweepAction] = []
    notes: list[SweepNote] = []
    handled: set[tuple[str, str]] = set()
    scheduled = list(schedules)
    for sch in scheduled:
        desired = desired_state(sch, overrides, now)
        if desired is None:
            continue
        db = inv.get(sch.target_kind, sch.target_id) or inv.find(sch.target_id)
        if db is None:
            notes.append(
                SweepNote(
                    "rds.sweep.missing",
                    sch.target_kind,
                    sch.target_id,
                    Msg(
                        f"scheduled {sch.target_kind} {sch.target_id} was not found in this account/region",
                        f"스케줄된 {attach(sch.target_id, '를')} 이 계정/리전에서 찾지 못했습니다",
                    ),
                    repeat=bool(_since(history, sch.key, now - timedelta(days=1))),
                )
            )
            continue
        target, _ = api_target(inv, db)
        if target.key in handled:
            continue
        handled.add(target.key)
        step = _plan_one(inv, sch, target, desired, overrides, history, now, late_after)
        if isinstance(step, SweepAction):
            actions.append(step)
        elif step is not None:
            notes.append(step)
    return SweepPlan(tuple(actions), tuple(notes), _adoptions(inv, scheduled, history))


def _plan_one(
    inv: Inventory,
    sch: Schedule,
    target: Database,
    desired: str,
    overrides: Sequence[Override],
    history: Sequence[ActionRecord],
    now: datetime,
    late_after: timedelta,
) -> SweepAction | SweepNote | None:
    action = "stop" if desired == "stopped" else "start"
    since = _period_start(sch, overrides, now)
    if active_override(sch, overrides, now) is not None:
        since = now - timedelta(days=8)
    recent = _since(history, target.key, since)
    state = target.state
    done = ("stopped", "stopping") if action == "stop" else ("running", "busy", "starting")
    if state in done:
        return None
    if state in ("starting", "stopping"):
        return SweepNote(
            "rds.sweep.waiting",
            target.kind,
            target.id,
            Msg(
                f"{target.id} is {target.status}; will {action} it when AWS allows",
                f"{attach(target.id, '가')} {target.status} 상태라 가능해지면 {action} 합니다",
            ),
            action,
            repeat=True,
        )
    user = [r for r in recent if r.cause.startswith("user:") and r.result == "ok"]
    if user and user[-1].action != action:
        who = user[-1].cause.split(":", 1)[1]
        return SweepNote(
            "rds.sweep.user_override",
            target.kind,
            target.id,
            Msg(
                f"{target.id} was {user[-1].action}ed by <@{who}> during this period; "
                "leaving it (use keep-running to hold it)",
                f"{attach(target.id, '는')} 이번 기간에 <@{who}> 님이 직접 {user[-1].action} 했으므로 "
                "그대로 둡니다 (유지하려면 keep-running 사용)",
            ),
            action,
            repeat=any(r.result == "skipped" for r in recent),
        )
    decision = decide(inv, target, action)
    if decision.outcome == "noop":
        return None
    if decision.outcome == "refuse":
        repeat = any(r.action == action and r.result == "refused" for r in recent)
        return SweepNote("rds.sweep.refused", target.kind, target.id, decision.reason, action, decision, repeat)
    stopped_by_bot = any(r.action == "stop" and r.result == "ok" and not r.cause.startswith("user:") for r in recent)
    if action == "stop" and stopped_by_bot:
        why = Msg(
            f"re-stopped {target.id} after it started itself (AWS starts a stopped database after 7 days)",
            f"{attach(target.id, '가')} 스스로 다시 시작되어 (AWS는 중지된 DB를 7일 뒤 자동 시작) 다시 중지했습니다",
        )
        return SweepAction(sch, decision, "self_restart", why)
    late = now - since > late_after
    when = since.strftime("%Y-%m-%d %H:%M %Z")
    if action == "stop":
        reason = Msg(
            f"stop window began {when}" + ("; catching up once after a missed run" if late else ""),
            f"중지 시간대 시작: {when}" + (" (놓친 실행을 한 번만 따라잡음)" if late else ""),
        )
    else:
        reason = Msg(
            f"run window began {when}" + ("; catching up once after a missed run" if late else ""),
            f"실행 시간대 시작: {when}" + (" (놓친 실행을 한 번만 따라잡음)" if late else ""),
        )
    return SweepAction(sch, decision, sch.cause, reason, catch_up=late)


def _transient(db: Database) -> bool:
    """Refused only for its current status (busy, stopped), not for what it is."""
    return db.state != "running"


def _adoptions(inv: Inventory, schedules: Sequence[Schedule], history: Sequence[ActionRecord]) -> tuple[Database, ...]:
    """API targets of tagged databases that have no schedule and were never proposed."""
    covered: set[tuple[str, str]] = set()
    for sch in schedules:
        db = inv.get(sch.target_kind, sch.target_id) or inv.find(sch.target_id)
        if db is not None:
            covered.add(api_target(inv, db)[0].key)
    proposed = {r.key for r in history if r.action == PROPOSE}
    out: dict[tuple[str, str], Database] = {}
    for db in inv.databases:
        if not db.tagged:
            continue
        target, _ = api_target(inv, db)
        if target.key in covered or target.key in proposed:
            continue
        # A database AWS can never stop (a Multi-AZ DB cluster, a read replica, ...) is not proposed.
        if decide(inv, target, "stop").outcome == "refuse" and not _transient(target):
            continue
        out.setdefault(target.key, target)
    return tuple(out.values())
