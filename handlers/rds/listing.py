"""The ``rds list`` table: every database with its schedule, next action and override. Pure.

Called by the diagnoser with an inventory from discovery and schedules from the bot's store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.rds.api import api_target
from handlers.rds.model import Database, Inventory
from handlers.rds.schedule import Override, Schedule, active_override, next_action

HEADER = ("DB", "KIND", "ENGINE", "CLASS", "STATUS", "SCHEDULE", "NEXT", "OVERRIDE", "TAGS")


def schedule_for(inv: Inventory, db: Database, schedules: Sequence[Schedule]) -> Schedule | None:
    """The schedule governing ``db``: its own, or its API target's (an Aurora member's cluster)."""
    target, _ = api_target(inv, db)
    for sch in schedules:
        found = inv.get(sch.target_kind, sch.target_id) or inv.find(sch.target_id)
        if found is not None and api_target(inv, found)[0].key == target.key:
            return sch
    return None


def _matches(db: Database, needle: str) -> bool:
    if not needle:
        return True
    hay = " ".join([db.id, db.engine, db.cluster_id, db.status, *(f"{k}={v}" for k, v in db.tags)]).lower()
    return needle.lower() in hay


def rows(
    inv: Inventory, schedules: Sequence[Schedule], overrides: Sequence[Override], now: datetime, needle: str = ""
) -> tuple[tuple[str, ...], ...]:
    out: list[tuple[str, ...]] = [HEADER]
    for db in inv.databases:
        if not _matches(db, needle):
            continue
        sch = schedule_for(inv, db, schedules)
        sched_txt, next_txt, ovr_txt = "-", "-", "-"
        if sch is not None:
            via = "" if (sch.target_kind, sch.target_id) == db.key else f" (via {sch.target_kind} {sch.target_id})"
            sched_txt = f"stop '{sch.stop_cron}' start '{sch.start_cron}' {sch.tz}{via}"
            nxt = next_action(sch, overrides, now)
            if nxt is not None:
                next_txt = f"{nxt.action} {nxt.at.astimezone(ZoneInfo(sch.tz)).strftime('%a %m-%d %H:%M')}"
            ovr = active_override(sch, overrides, now)
            if ovr is not None:
                ovr_txt = f"keep running until {ovr.until.astimezone(ZoneInfo(sch.tz)).strftime('%m-%d %H:%M')}"
        kind = db.kind if not db.cluster_id else f"member of {db.cluster_id}"
        tags = ",".join(f"{k}={v}" for k, v in db.tags) or "-"
        out.append(
            (
                db.id,
                kind,
                f"{db.engine} {db.engine_mode}".strip(),
                db.db_class or "-",
                db.status,
                sched_txt,
                next_txt,
                ovr_txt,
                tags,
            )
        )
    return tuple(out)
