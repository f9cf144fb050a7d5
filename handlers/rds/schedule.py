"""Stop/start schedules and keep-running overrides: what state a database should be in now. Pure.

A ``Schedule`` is a stop cron, a start cron and a time zone (default UTC; the bot passes its
``DEFAULT_TIMEZONE``). The most recent of the two cron firings decides the desired state, so a bot
that was down for days acts once on the state it finds (catch-up), never replaying the missed firings. An ``Override``
(keep-running until T) wins over the schedule until it expires by itself.

Used by the diagnoser, ``sweep``, ``listing`` and the scheduler's sweep job; the ``/ops rds``
argument parsing lives in ``handlers.rds.commands``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.cron import next_fire, prev_fire

DEFAULT_TZ = "UTC"
DEFAULT_STOP_CRON = "0 20 * * 1-5"
DEFAULT_START_CRON = "0 8 * * 1-5"


@dataclass(frozen=True)
class Schedule:
    """Stop at ``stop_cron``, start at ``start_cron``, both read in ``tz``."""

    target_kind: str
    target_id: str
    stop_cron: str = DEFAULT_STOP_CRON
    start_cron: str = DEFAULT_START_CRON
    tz: str = DEFAULT_TZ
    id: int | None = None
    enabled: bool = True

    @property
    def key(self) -> tuple[str, str]:
        return (self.target_kind, self.target_id)

    @property
    def cause(self) -> str:
        return f"schedule:{self.id}" if self.id is not None else "schedule"

    def __str__(self) -> str:
        return f"{self.target_kind}:{self.target_id} stop '{self.stop_cron}' start '{self.start_cron}' {self.tz}"


@dataclass(frozen=True)
class Override:
    """Keep ``target`` running until ``until`` (UTC-aware), whatever its schedule says."""

    target_kind: str
    target_id: str
    until: datetime
    reason: str = ""
    created_by: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.target_kind, self.target_id)

    def active(self, now: datetime) -> bool:
        return now < self.until


@dataclass(frozen=True)
class NextAction:
    action: str  # "stop" | "start"
    at: datetime


def last_transition(schedule: Schedule, now: datetime) -> tuple[str, datetime]:
    """The most recent cron firing at or before ``now``: ("stop"|"start", when). Start wins ties."""
    local = now.astimezone(ZoneInfo(schedule.tz))
    # croniter's get_prev excludes ``now`` itself; nudge so a firing exactly at ``now`` counts.
    probe = local + timedelta(seconds=1)
    stop_at, start_at = prev_fire(schedule.stop_cron, probe), prev_fire(schedule.start_cron, probe)
    return ("stop", stop_at) if stop_at > start_at else ("start", start_at)


def active_override(schedule: Schedule, overrides: Iterable[Override], now: datetime) -> Override | None:
    live = [o for o in overrides if o.key == schedule.key and o.active(now)]
    return max(live, key=lambda o: o.until) if live else None


def desired_state(schedule: Schedule, overrides: Iterable[Override], now: datetime) -> str | None:
    """ "running" | "stopped" the database should be in at ``now``; None if the schedule is off."""
    if not schedule.enabled:
        return None
    if active_override(schedule, overrides, now) is not None:
        return "running"
    action, _ = last_transition(schedule, now)
    return "stopped" if action == "stop" else "running"


def next_action(
    schedule: Schedule, overrides: Sequence[Override], now: datetime, max_steps: int = 20
) -> NextAction | None:
    """The next time the desired state changes (schedule firing or override expiry), if any."""
    current = desired_state(schedule, overrides, now)
    if current is None:
        return None
    zone = ZoneInfo(schedule.tz)
    t = now
    for _ in range(max_steps):
        local = t.astimezone(zone)
        candidates = [next_fire(schedule.stop_cron, local), next_fire(schedule.start_cron, local)]
        candidates += [o.until for o in overrides if o.key == schedule.key and o.until > t]
        t = min(c.astimezone(now.tzinfo) for c in candidates)
        state = desired_state(schedule, overrides, t)
        if state != current:
            return NextAction("stop" if state == "stopped" else "start", t)
    return None


def schedule_state(schedule: Schedule | None) -> dict[str, object] | None:
    """The JSON shape of a schedule in plan steps (``before``/``after`` of ``rds.schedule.upsert``)."""
    if schedule is None:
        return None
    return {
        "stop_cron": schedule.stop_cron,
        "start_cron": schedule.start_cron,
        "tz": schedule.tz,
        "enabled": schedule.enabled,
    }


def override_state(overrides: Iterable[Override], kind: str, ident: str, now: datetime) -> dict[str, str] | None:
    """The JSON shape of the live override for a target (``rds.override.add`` before/after)."""
    live = [o for o in overrides if o.key == (kind, ident) and o.active(now)]
    if not live:
        return None
    return {"until": max(o.until for o in live).isoformat()}


def upcoming(schedule: Schedule, now: datetime, count: int = 4) -> list[NextAction]:
    """The next ``count`` transitions of a schedule (ignoring overrides), for previews."""
    out: list[NextAction] = []
    t = now
    while len(out) < count:
        nxt = next_action(schedule, (), t)
        if nxt is None:
            break
        out.append(nxt)
        t = nxt.at
    return out
