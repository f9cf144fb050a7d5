"""Cron expressions and time zones, read one way everywhere: validated, and stepped with croniter.

Every schedule in the bot (reports, RDS stop/start) is croniter's dialect: five fields, weekday
0 or 7 for Sunday, ``@daily``-style shortcuts where a caller allows them. APScheduler's own
``CronTrigger`` numbers weekdays from Monday, so it never reads these expressions; the scheduler
only wakes up and asks ``next_fire`` / ``prev_fire``.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from bot.errors import UsageError
from bot.korean import josa


def check_cron(expr: str, what: str = "cron", *, shortcuts: bool = False) -> str:
    """``expr`` with its whitespace normalised, or a ``UsageError`` saying what a valid one looks like.

    ``shortcuts`` admits croniter's ``@hourly``/``@daily``/``@weekly``/... besides five fields.
    """
    expr = " ".join(expr.split())
    shortcut = shortcuts and expr.startswith("@")
    if not croniter.is_valid(expr) or (not shortcut and len(expr.split()) != 5):
        raise UsageError(
            f"`{expr[:60]}` is not a valid 5-field {what} expression (e.g. `0 20 * * 1-5`).",
            f"`{expr[:60]}` {josa(expr[:60], '는')} 올바른 5필드 {what} 식이 아닙니다 (예: `0 20 * * 1-5`).",
        )
    return expr


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name``, or a ``UsageError`` with an example of a valid one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(
            f"unknown time zone `{name[:60]}` (e.g. Asia/Seoul, UTC).",
            f"알 수 없는 시간대 `{name[:60]}` (예: Asia/Seoul, UTC).",
        ) from exc


def next_fire(expr: str, after: datetime) -> datetime:
    """The first firing of ``expr`` strictly after ``after``, in ``after``'s time zone."""
    return croniter(expr, after).get_next(datetime)


def prev_fire(expr: str, before: datetime) -> datetime:
    """The last firing of ``expr`` strictly before ``before``, in ``before``'s time zone."""
    return croniter(expr, before).get_prev(datetime)
