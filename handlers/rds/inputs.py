"""What the RDS diagnoser reads besides AWS: the bot's schedules and its settings, as ``RdsPorts``.

The composition root puts one ``RdsPorts`` in ``ctx.ports``: the ``ScheduleBook``
(``bot.scheduler.book.RepoScheduleBook``), the adoption ``TagRule`` and the default time zone.
The requester's own time zone is ``ctx.requester_zone`` (may be empty). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.cloud.context import ClusterContext
from handlers.rds.model import TagRule
from handlers.rds.schedule import DEFAULT_TZ, Override, Schedule


class ScheduleBook(Protocol):
    """Read access to the bot's schedules and overrides (the bot layer supplies it).

    Its ``cluster_key`` attribute, if any, names the schedule namespace plans write into.
    """

    def schedules(self) -> list[Schedule]: ...

    def overrides(self, now: datetime) -> list[Override]: ...


class EmptyBook:
    cluster_key = ""

    def schedules(self) -> list[Schedule]:
        return []

    def overrides(self, now: datetime) -> list[Override]:
        return []


@dataclass(frozen=True)
class RdsPorts:
    """The RDS feature's view of the bot: its schedule book, adoption tag and default time zone."""

    book: ScheduleBook = field(default_factory=EmptyBook)
    tag: TagRule = field(default_factory=TagRule)
    default_tz: str = DEFAULT_TZ


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
