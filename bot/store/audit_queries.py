"""The repository's queries of what happened: the audit log, and the deliveries seen once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from bot.domain import AuditEvent
from bot.store.models import AuditRow, SeenEventRow
from bot.store.records import AuditRecord
from bot.store.unit import Sessions, as_records


class AuditQueries(Sessions):
    def audit(self, event: AuditEvent, now: datetime) -> int:
        with self._session(write=True) as s:
            row = AuditRow(at=now, **{k: (str(v) if k == "kind" else v) for k, v in asdict(event).items()})
            s.add(row)
            s.flush()
            return row.id

    def audit_rows(
        self, limit: int | None = None, since: datetime | None = None, plan_id: int | None = None
    ) -> list[AuditRecord]:
        with self._session(write=False) as s:
            stmt = select(AuditRow)
            if since is not None:
                stmt = stmt.where(AuditRow.at >= since)
            if plan_id is not None:
                stmt = stmt.where(AuditRow.plan_id == plan_id)
            stmt = stmt.order_by(AuditRow.id.desc())
            if limit:
                stmt = stmt.limit(limit)
            return as_records(AuditRecord, reversed(list(s.scalars(stmt))))

    def audit_count(self) -> int:
        with self._session(write=False) as s:
            return s.scalar(select(func.count()).select_from(AuditRow)) or 0

    def first_time(self, key: str, now: datetime) -> bool:
        """True the first time ``key`` is seen (event id, retried delivery); False afterwards."""
        with self._session(write=True) as s:
            return self._insert_once(s, SeenEventRow, key=key[:128], at=now)


def as_dicts(records: Iterable[AuditRecord]) -> list[dict[str, Any]]:
    names = [f.name for f in fields(AuditRecord)]
    return [{name: getattr(r, name) for name in names} for r in records]
