"""Leadership: exactly one active scheduler across all replicas.

On PostgreSQL a session-level ``pg_try_advisory_lock`` taken on a dedicated connection that is
held for the life of the process (the lock dies with the connection, so a crashed leader frees
it). On SQLite (single-host development) an exclusive ``fcntl.flock`` on a lock file next to the
database. ``still_held()`` re-checks; any exception there counts as loss of leadership (the
Kubernetes client's leader-election pitfall: a silent connection error must never
leave two leaders). Used by ``bot.scheduler.engine``.
"""

from __future__ import annotations

import fcntl
import logging
import os
from typing import Any, Protocol

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

# A fixed 64-bit key for the advisory lock: the ASCII bytes of "chatops1" read as one big-endian number,
# sign bit cleared so it fits PostgreSQL's signed bigint. Not a hash; any constant would do.
LOCK_KEY = 0x6368_6174_6F70_7331 & 0x7FFF_FFFF_FFFF_FFFF


class LeaderLock(Protocol):
    def try_acquire(self) -> bool: ...

    def still_held(self) -> bool: ...

    def release(self) -> None: ...


class PgAdvisoryLock:
    """Session-level advisory lock on one dedicated connection (no pool: the connection is ours)."""

    def __init__(self, url: str, key: int = LOCK_KEY):
        self.key = key
        self._engine = create_engine(url, poolclass=NullPool)
        self._conn: Any = None
        self.held = False

    def try_acquire(self) -> bool:
        if self.held and self.still_held():
            return True
        try:
            if self._conn is None:
                self._conn = self._engine.connect()
            got = bool(self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar())
            self._conn.commit()  # end the implicit transaction; the session lock stays
        except Exception:
            log.warning("advisory lock attempt failed", exc_info=True)
            self._drop()
            return False
        self.held = got
        return got

    def still_held(self) -> bool:
        if not self.held or self._conn is None:
            return False
        try:
            row = self._conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND pid = pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = :k"
                ),
                {"k": self.key},
            ).scalar()
            self._conn.commit()
        except Exception:
            log.warning("leadership check failed; stepping down", exc_info=True)
            self._drop()
            return False
        if not row:
            self.held = False
        return bool(row)

    def _drop(self) -> None:
        self.held = False
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.invalidate()
                conn.close()
            except Exception:  # noqa: BLE001 - already broken
                pass

    def release(self) -> None:
        if self._conn is not None and self.held:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                self._conn.commit()
            except Exception:  # noqa: BLE001 - closing the connection frees it anyway
                pass
        self.held = False
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def dispose(self) -> None:
        self.release()
        self._engine.dispose()


class FileLock:
    """An exclusive, non-blocking ``flock`` on a file (SQLite / single host)."""

    def __init__(self, path: str):
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def still_held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def dispose(self) -> None:
        self.release()


def lock_for(database_url: str, lock_dir: str = "") -> PgAdvisoryLock | FileLock:
    """The right lock for the configured database."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return PgAdvisoryLock(database_url)
    base = url.database if url.database and url.database != ":memory:" else "chatops"
    path = os.path.join(lock_dir, os.path.basename(base)) if lock_dir else base
    return FileLock(f"{path}.scheduler.lock")
