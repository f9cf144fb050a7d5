"""Sessions for the repository's methods: one short transaction each, or the open unit of work's.

Each method of ``bot.store.repo.Repo`` is one short transaction of its own, unless it runs inside a
unit of work (``with repo.unit() as uow: ...; uow.commit()``): then every method called in that
block, in this thread, joins the unit's one transaction, so a decision, its state change and its
audit row commit together or not at all. What comes back is a frozen record
(``bot.store.records``), read inside the session, never a SQLAlchemy row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import fields
from typing import Any, TypeVar

from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from bot.store.records import AuditRecord, PlanRecord, RequestRecord, StepRunRecord

R = TypeVar("R", RequestRecord, PlanRecord, StepRunRecord, AuditRecord)


def as_record(kind: type[R], row: Any) -> R:
    """A frozen copy of ``row`` (an ORM row or a result row with the same names), field by field."""
    return kind(**{f.name: getattr(row, f.name) for f in fields(kind)})


def as_records(kind: type[R], rows: Iterable[Any]) -> list[R]:
    return [as_record(kind, row) for row in rows]


class UnitOfWork:
    """One transaction that the repository's methods join while the ``with`` block runs.

    Nothing is written unless ``commit()`` is called; leaving the block otherwise (an exception, a
    return before the commit) rolls everything back. After ``commit()`` the unit is over: later calls
    in the block run in transactions of their own. A unit opened inside another joins the outer.
    """

    def __init__(self, finish: Callable[[], None] | None):
        self._finish = finish  # None for a unit joined to an outer one
        self.committed = False

    def commit(self) -> None:
        if not self.committed and self._finish is not None:
            self._finish()
        self.committed = True


class Sessions:
    """The session factory, and the unit of work the methods of the query classes join."""

    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions
        self._unit: ContextVar[Connection | None] = ContextVar(f"unit-{id(self)}", default=None)

    @contextmanager
    def unit(self) -> Iterator[UnitOfWork]:
        if self._unit.get() is not None:  # joined: the outer unit commits
            yield UnitOfWork(None)
            return
        engine = self.sessions.kw["bind"]
        with engine.connect() as connection:
            connection.begin()  # the sessions below join this transaction instead of starting their own
            token = self._unit.set(connection)

            def finish() -> None:
                connection.commit()
                self._unit.reset(token)

            uow = UnitOfWork(finish)
            try:
                yield uow
            finally:
                if not uow.committed:
                    self._unit.reset(token)
                    connection.rollback()

    @contextmanager
    def _session(self, *, write: bool) -> Iterator[Session]:
        """A session for one method: its own transaction, or the open unit's."""
        connection = self._unit.get()
        if connection is None:
            with self.sessions.begin() if write else self.sessions() as s:
                yield s
            return
        # The unit owns the transaction: this session neither commits nor rolls it back.
        with Session(bind=connection, join_transaction_mode="rollback_only", expire_on_commit=False) as s:
            yield s
            s.flush()

    @staticmethod
    def _insert_once(s: Session, table: Any, **values: Any) -> bool:
        """Insert a row unless one with the same unique key exists; True if this call inserted it.

        ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` (SQLite 3.35+, PostgreSQL 9.5+): a duplicate
        leaves the transaction usable, so this is safe inside a unit of work without a savepoint. The
        returned row says whether it was inserted (psycopg reports no row count for this statement)."""
        insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
        key = next(iter(table.__table__.primary_key.columns))
        stmt = insert(table).values(**values).on_conflict_do_nothing().returning(key)
        return s.execute(stmt).first() is not None
