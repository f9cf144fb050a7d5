"""Alembic revisions of the RDS feature's tables (schedules, overrides, the action log).

A version location of the bot's one migration chain (``bot.store.migrate`` adds it through the
registry); Alembic reads the revisions as files and skips this ``__init__``. No feature code imports
them.
"""
