"""The repository's queries of requests: one row per request, and its settling."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from bot.domain import PlanStatus
from bot.store.models import PlanRow, RequestRow
from bot.store.records import RequestRecord
from bot.store.unit import Sessions, as_record, as_records


class RequestQueries(Sessions):
    def add_request(self, **values: Any) -> RequestRecord:
        with self._session(write=True) as s:
            row = RequestRow(**values)
            s.add(row)
            s.flush()
            return as_record(RequestRecord, row)

    def get_request(self, request_id: int) -> RequestRecord | None:
        with self._session(write=False) as s:
            row = s.get(RequestRow, request_id)
            return as_record(RequestRecord, row) if row is not None else None

    def update_request(self, request_id: int, **changes: Any) -> None:
        with self._session(write=True) as s:
            s.execute(update(RequestRow).where(RequestRow.id == request_id).values(**changes))

    def open_request_for(self, target: str) -> RequestRecord | None:
        with self._session(write=False) as s:
            stmt = (
                select(RequestRow)
                .where(RequestRow.target == target, RequestRow.state == "open")
                .order_by(RequestRow.id.desc())
                .limit(1)
            )
            row = s.scalars(stmt).first()
            return as_record(RequestRecord, row) if row is not None else None

    def request_by_once_key(self, once_key: str) -> RequestRecord | None:
        """The request a delivery created (``Ask.once_key``), if it created one."""
        if not once_key:
            return None
        with self._session(write=False) as s:
            stmt = select(RequestRow).where(RequestRow.once_key == once_key[:128]).limit(1)
            row = s.scalars(stmt).first()
            return as_record(RequestRecord, row) if row is not None else None

    def request_by_thread(self, channel: str, thread_ts: str) -> RequestRecord | None:
        with self._session(write=False) as s:
            stmt = (
                select(RequestRow)
                .where(RequestRow.channel == channel, RequestRow.thread_ts == thread_ts)
                .order_by(RequestRow.id.desc())
                .limit(1)
            )
            row = s.scalars(stmt).first()
            return as_record(RequestRecord, row) if row is not None else None

    def requests_of(self, user_id: str, limit: int = 10) -> list[RequestRecord]:
        with self._session(write=False) as s:
            stmt = select(RequestRow).where(RequestRow.user_id == user_id).order_by(RequestRow.id.desc()).limit(limit)
            return as_records(RequestRecord, s.scalars(stmt))

    def latest_requests(self, limit: int = 50) -> list[RequestRecord]:
        """The newest requests first, whoever filed them."""
        with self._session(write=False) as s:
            return as_records(RequestRecord, s.scalars(select(RequestRow).order_by(RequestRow.id.desc()).limit(limit)))

    def settle_request(self, request_id: int) -> None:
        """Mark a request done once none of its plans is waiting for a decision or being applied: one
        conditional update."""
        live = (PlanStatus.PROPOSED, PlanStatus.APPROVED, PlanStatus.APPLYING)
        waiting = select(PlanRow.id).where(PlanRow.request_id == request_id, PlanRow.status.in_(live)).exists()
        with self._session(write=True) as s:
            s.execute(update(RequestRow).where(RequestRow.id == request_id, ~waiting).values(state="done"))
