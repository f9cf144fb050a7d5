"""What the RDS diagnoser reads besides AWS: the bot's schedules and its settings, as ``RdsPorts``.

The composition root puts one ``RdsPorts`` in ``ctx.ports``: the ``ScheduleBook``
(``handlers.rds.persistence.book.RepoScheduleBook``), the adoption ``TagRule`` and the default time zone.
The requester's own time zone is ``ctx.requester_zone`` (may be empty). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.cloud.context import ClusterContext
from bot.errors import Misconfigured
from handlers.base import Wiring
from handlers.rds.model import ActionRecord, TagRule
from handlers.rds.schedule import DEFAULT_TZ, Override, Schedule
from handlers.rds.settings import RdsSettings


class ScheduleBook(Protocol):
    """Read access to the bot's schedules and overrides (the bot layer supplies it).

    Its ``cluster_key`` attribute, if any, names the schedule namespace plans write into.
    """

    def schedules(self) -> list[Schedule]: ...

    def overrides(self, now: datetime) -> list[Override]: ...


class ScheduleStore(ScheduleBook, Protocol):
    """Write access to the bot's schedule tables, for the ``rds.schedule.upsert`` and
    ``rds.override.add`` plan operations and the sweep (its action log). Returns the pure records;
    disabled schedules included."""

    def schedule(self, target_kind: str, target_id: str, cluster_key: str) -> Schedule | None: ...

    def every_schedule(self) -> list[Schedule]:
        """The enabled schedules of every cluster key (``schedules`` has the book's own key only)."""
        ...

    def save_schedule(
        self, schedule: Schedule, cluster_key: str, created_by: str, approved_by: str, now: datetime
    ) -> Schedule: ...

    def overrides(self, now: datetime) -> list[Override]: ...

    def overrides_created(self, since: datetime, until: datetime) -> list[Override]:
        """Overrides created in ``[since, until)``, live or expired (the weekly report counts them)."""
        ...

    def add_override(self, schedule_id: int, until: datetime, reason: str, created_by: str, now: datetime) -> None: ...

    def end_overrides(self, schedule_id: int, now: datetime) -> None: ...

    def record_action(
        self, target_kind: str, target_id: str, action: str, cause: str, result: str, detail: str, at: datetime
    ) -> None: ...

    def actions(self, since: datetime, until: datetime, action: str | None = None) -> list[ActionRecord]: ...


class EmptyBook:
    cluster_key = ""

    def schedules(self) -> list[Schedule]:
        return []

    def overrides(self, now: datetime) -> list[Override]:
        return []


@dataclass(frozen=True)
class RdsPorts:
    """The RDS feature's view of the bot: its schedule book (and the store behind it, where the
    process may write schedules), adoption tag, default time zone and how often the sweep runs."""

    book: ScheduleBook = field(default_factory=EmptyBook)
    tag: TagRule = field(default_factory=TagRule)
    default_tz: str = DEFAULT_TZ
    store: ScheduleStore | None = None  # None: plans that change schedules cannot be applied here
    sweep_minutes: float = 5.0


def store(ctx: ClusterContext) -> ScheduleStore:
    found = ports(ctx).store
    if found is None:
        raise Misconfigured("this process has no schedule store: RDS schedule plans cannot be applied here")
    return found


def build_ports(wiring: Wiring) -> RdsPorts:
    """The feature's ports from the bot's settings and, where the process keeps one, its schedule store
    (which is also the book the diagnoser reads)."""
    store = wiring.stores.get("rds")
    settings = wiring.feature_settings.get("rds") or RdsSettings()
    return RdsPorts(
        book=store if store is not None else EmptyBook(),
        tag=TagRule.parse(settings.autostop_tag),
        default_tz=wiring.settings.default_timezone,
        store=store,
        sweep_minutes=settings.sweep_minutes,
    )


def ports(ctx: ClusterContext) -> RdsPorts:
    return ctx.ports.get(RdsPorts) or RdsPorts()


def book(ctx: ClusterContext) -> ScheduleBook:
    return ports(ctx).book


def cluster_key(ctx: ClusterContext) -> str:
    return str(getattr(book(ctx), "cluster_key", ""))


def rule(ctx: ClusterContext) -> TagRule:
    return ports(ctx).tag


def tz(ctx: ClusterContext) -> str:
    return ports(ctx).default_tz or DEFAULT_TZ


def user_zone(ctx: ClusterContext) -> ZoneInfo | None:
    """The requester's own time zone, or None when it is unknown or not a zone this machine knows."""
    name = ctx.requester_zone
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None
