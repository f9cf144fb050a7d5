"""The note a report shows for a part it could not read: what, and the failing call with its code."""

from __future__ import annotations

from bot.domain import Msg
from bot.errors import CloudError
from bot.korean import attach


def unreadable(what: str, exc: CloudError) -> Msg:
    return Msg(
        f"{what} could not be read: {exc.call} {exc.code}",
        f"{attach(what, '을')} 읽을 수 없습니다: {exc.call} {exc.code}",
    )
