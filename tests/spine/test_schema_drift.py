"""The models and the migrations describe one schema: autogenerate against a migrated database finds nothing.

The schema is created only by Alembic (``bot/migrations/``); the SQLAlchemy models in ``bot.store`` mirror
it. A column added to a model without a migration (or the reverse) fails here, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import handlers.registry  # noqa: F401 - registers the features' tables on the shared metadata
from bot.store.base import Base
from bot.store.db import make_engine


def test_models_and_migrations_agree(db_url):
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == []
