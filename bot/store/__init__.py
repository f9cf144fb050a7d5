"""Persistence: SQLAlchemy 2.x models and repositories. The schema changes only through Alembic."""
