"""What the RDS diagnoser reads besides AWS: the bot's schedules and its settings, via ``ctx.extras``.

``ctx.extras["rds.schedules"]`` is a ``ScheduleBook`` (``bot.scheduler.book.RepoScheduleBook``),
``["rds.tag"]`` a ``TagRule`` or "key=value", ``["rds.tz"]`` the default time zone, ``["user.tz"]``
the requester's own time zone (may be missing). Pure.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.cloud.context import ClusterContext
from handlers.rds.model import TagRule
from handlers.rds.schedule import DEFAULT_TZ, Override, Schedule

EXTRA_BOOK, EXTRA_TAG, EXTRA_TZ = "rds.schedules", "rds.tag", "rds.tz"
EXTRA_USER_TZ = "user.tz"  # the requester's own time zone from Slack (users.info ``tz``), when known


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


def book(ctx: ClusterContext) -> ScheduleBook:
    found = ctx.extras.get(EXTRA_BOOK)
    return found if found is not None else EmptyBook()  # type: ignore[return-value]


def cluster_key(ctx: ClusterContext) -> str:
    return str(getattr(book(ctx), "cluster_key", ""))


def rule(ctx: ClusterContext) -> TagRule:
    found = ctx.extras.get(EXTRA_TAG)
    if isinstance(found, TagRule):
        return found
    return TagRule.parse(str(found)) if found else TagRule()


def tz(ctx: ClusterContext) -> str:
    return str(ctx.extras.get(EXTRA_TZ) or DEFAULT_TZ)


def user_zone(ctx: ClusterContext) -> ZoneInfo | None:
    """The requester's own time zone, or None when it is unknown or not a zone this machine knows."""
    name = str(ctx.extras.get(EXTRA_USER_TZ) or "")
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None
