"""The database of the split run: PostgreSQL as the chart deploys it, else SQLite with a note.

``chatops serve`` and ``chatops worker`` as separate processes are the chart's layout, and the
chart requires PostgreSQL; two processes writing one SQLite file serialise on its write lock, which
no deployment has. ``split_database`` yields the URL of a new, empty PostgreSQL database (created on
the server named by ``BENCH_DATABASE_URL``, else ``TEST_DATABASE_URL``, else the local default
below, and dropped afterwards) and the kind it is; when no server answers it yields a SQLite file
under ``tmp`` and the kind says so.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

LOCAL_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _admin_urls() -> list[str]:
    named = [os.environ.get(name, "") for name in ("BENCH_DATABASE_URL", "TEST_DATABASE_URL")]
    return [url for url in named if url] or [LOCAL_SERVER]


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _reachable(url: str) -> bool:
    try:
        with psycopg.connect(_conninfo(url), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@contextmanager
def split_database(tmp: Path) -> Iterator[tuple[str, str]]:
    """``(database_url, kind)``: a fresh PostgreSQL database (``postgresql``) or a SQLite file
    (``sqlite: no PostgreSQL server answered``)."""
    server = next((url for url in _admin_urls() if _reachable(url)), None)
    if server is None:
        yield f"sqlite:///{tmp / 'split.db'}", "sqlite: no PostgreSQL server answered"
        return
    name = f"chatops_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_conninfo(server), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False), "postgresql"
    finally:
        with psycopg.connect(_conninfo(server), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
