"""The RDS feature's tables and the store over them: the one part of the feature that speaks SQL.

``tables`` declares the schedule, override and action-log tables on the bot's shared metadata (the
feature's Alembic revisions create them) with ``ScheduleRepo``, the only code that writes SQL for
them. ``book.RepoScheduleBook`` adapts that repository to the pure ``ScheduleStore`` protocol the
rest of the feature reads through ``ctx.ports``. ``build_store`` is what the composition root calls,
through ``Feature.store``, with its session factory.
"""

from __future__ import annotations

from typing import Any

from handlers.rds.persistence.book import RepoScheduleBook
from handlers.rds.persistence.tables import ScheduleRepo


def build_store(sessions: Any) -> RepoScheduleBook:
    return RepoScheduleBook(ScheduleRepo(sessions))


__all__ = ["RepoScheduleBook", "ScheduleRepo", "build_store"]
