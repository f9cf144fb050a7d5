"""Alembic revisions, one module each; Alembic skips this ``__init__`` when it reads the directory."""
