"""The audit log is append-only in the database itself: UPDATE and DELETE are refused (TRUNCATE too on PostgreSQL).

The triggers come from a migration, so they hold for any connection, not only the bot's: raw SQL
on the same URL the bot uses is refused, on SQLite and on PostgreSQL, and the row is unchanged.
Inserting (what the bot does) still works.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from bot.domain import AuditEvent, AuditKind
from bot.store.base import utcnow
from bot.store.db import make_engine, make_session_factory
from bot.store.repo import Repo


@pytest.fixture
def audited(db_url):
    engine = make_engine(db_url)
    repo = Repo(make_session_factory(engine))
    row_id = repo.audit(AuditEvent(AuditKind.APPLIED, "U_OPS", "step 1: tag the role"), utcnow())
    yield engine, repo, row_id
    engine.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET summary = 'nothing happened' WHERE id = :id",
        "UPDATE audit_events SET actor = 'U_SOMEONE_ELSE'",
        "DELETE FROM audit_events WHERE id = :id",
        "DELETE FROM audit_events",
    ],
)
def test_rewriting_or_deleting_audit_rows_is_refused(audited, statement):
    engine, repo, row_id = audited
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.text(statement), {"id": row_id})
    (row,) = repo.audit_rows()
    assert (row.id, row.actor, row.summary) == (row_id, "U_OPS", "step 1: tag the role")


def test_truncate_is_refused_on_postgresql(audited):
    engine, repo, _ = audited
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (DELETE without WHERE is refused above)")
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE audit_events"))
    assert repo.audit_count() == 1


def test_appending_still_works(audited):
    engine, repo, row_id = audited
    second = repo.audit(AuditEvent(AuditKind.VERIFIED, "bot", "live state matches the plan"), utcnow())
    assert second > row_id and [r.kind for r in repo.audit_rows()] == ["applied", "verified"]
