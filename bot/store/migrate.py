"""Runs the Alembic migrations programmatically (``chatops migrate``, tests, the demo)."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config

import bot.migrations
from handlers import registry


def migrations_dir() -> Path:
    """The package's ``bot/migrations/`` (env.py, script.py.mako, versions/), wherever it is installed.

    Found through ``importlib.resources``, never the working directory. Alembic reads the
    revisions as files, so the package must be installed on the file system (not zipped).
    """
    here = files(bot.migrations)
    if not isinstance(here, Path) or not (here / "env.py").is_file():
        raise RuntimeError(f"the Alembic environment is not a directory on disk: {here}")
    return here


def version_locations() -> list[Path]:
    """Where the revisions are: the core's ``versions/`` and each feature's migrations package."""
    found = [migrations_dir() / "versions"]
    for package in registry.migration_packages():
        here = files(package)
        if not isinstance(here, Path):
            raise RuntimeError(f"the revisions of {package} are not a directory on disk: {here}")
        found.append(here)
    return found


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(str(p) for p in version_locations()))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` (default: the newest)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)
