"""The jobs table as a queue: enqueue once per delivery, claim under a lease, renew, finish, retry, bury.

A claim is one ``UPDATE ... WHERE id = (SELECT ...) RETURNING`` statement in a transaction of its own:
- on PostgreSQL the inner ``SELECT`` takes its row ``FOR UPDATE SKIP LOCKED``, so concurrent workers
  (threads, processes, replicas) each get a different job without waiting on one another
  (https://www.postgresql.org/docs/current/sql-select.html#SQL-FOR-UPDATE-SHARE);
- on SQLite an ``UPDATE`` takes the database's write lock before it reads
  (https://www.sqlite.org/lang_transaction.html: a write statement starts a write transaction), so two
  claims run one after the other and the second sees the first's row as taken.

Times are the wall clock (``datetime.now(UTC)``), never a test's simulated clock: leases are compared
across processes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.models import JobRow, JobWorkerRow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


def wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Job:
    """A claimed job: what to run, and which attempt this is (1 for the first)."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int
    created_at: datetime


@dataclass(frozen=True)
class JobCounts:
    """The queue at a glance, for ``/metrics``."""

    queued: int
    running: int
    failed: int
    retried: int  # jobs claimed more than once, whatever their state now
    oldest_queued_seconds: float


class JobStore:
    def __init__(self, engine: Engine, now: Callable[[], datetime] = wall_clock):
        self.engine = engine
        self.now = now
        self._postgres = engine.dialect.name == "postgresql"

    # enqueue ---------------------------------------------------------------------------------
    def enqueue(self, kind: str, dedupe_key: str, payload: dict[str, Any], max_attempts: int) -> int | None:
        """Add a job; its id, or None when a job with ``dedupe_key`` exists (the same delivery again)."""
        now = self.now()
        insert = postgresql.insert if self._postgres else sqlite.insert
        stmt = (
            insert(JobRow)
            .values(
                kind=kind[:128],
                dedupe_key=dedupe_key[:200],
                payload=payload,
                state=QUEUED,
                attempts=0,
                max_attempts=max_attempts,
                created_at=now,
                run_after=now,
            )
            .on_conflict_do_nothing()
            .returning(JobRow.id)
        )
        with self.engine.begin() as conn:
            return conn.execute(stmt).scalar()

    # claiming --------------------------------------------------------------------------------
    def claim(self, owner: str, lease: timedelta) -> Job | None:
        """Take the oldest job that is due, or whose holder's lease has lapsed with attempts left."""
        now = self.now()
        due = or_(
            and_(JobRow.state == QUEUED, JobRow.run_after <= now),
            and_(JobRow.state == RUNNING, JobRow.lease_until < now, JobRow.attempts < JobRow.max_attempts),
        )
        pick = select(JobRow.id).where(due).order_by(JobRow.id).limit(1)
        if self._postgres:
            pick = pick.with_for_update(skip_locked=True)
        stmt = (
            update(JobRow)
            .where(JobRow.id == pick.scalar_subquery())
            .values(state=RUNNING, lease_owner=owner, lease_until=now + lease, attempts=JobRow.attempts + 1)
            .returning(JobRow.id, JobRow.kind, JobRow.payload, JobRow.attempts, JobRow.max_attempts, JobRow.created_at)
        )
        with self.engine.begin() as conn:
            row = conn.execute(stmt).first()
        return Job(*row) if row is not None else None

    def renew(self, owner: str, ids: list[int], lease: timedelta) -> set[int]:
        """Extend this owner's leases on ``ids``; the ids it still holds (a lapsed one may be another's now)."""
        if not ids:
            return set()
        stmt = (
            update(JobRow)
            .where(JobRow.id.in_(ids), JobRow.lease_owner == owner, JobRow.state == RUNNING)
            .values(lease_until=self.now() + lease)
            .returning(JobRow.id)
        )
        with self.engine.begin() as conn:
            return set(conn.execute(stmt).scalars())

    def finish(self, job: Job, owner: str) -> bool:
        """Mark ``job`` done; False when this owner no longer held it."""
        stmt = (
            update(JobRow)
            .where(JobRow.id == job.id, JobRow.lease_owner == owner, JobRow.state == RUNNING)
            .values(state=DONE, finished_at=self.now(), lease_owner=None, lease_until=None)
        )
        with self.engine.begin() as conn:
            return conn.execute(stmt).rowcount == 1

    def retry_or_fail(self, job: Job, owner: str, error: str, delay: timedelta) -> str:
        """After a failed attempt: queue it again after ``delay``, or fail it when no attempt is left.

        Returns the state it is left in (``queued`` or ``failed``; ``""`` when this owner no longer held it).
        """
        final = job.attempts >= job.max_attempts
        values: dict[str, Any] = {"lease_owner": None, "lease_until": None, "error": error[:500]}
        if final:
            values |= {"state": FAILED, "finished_at": self.now()}
        else:
            values |= {"state": QUEUED, "run_after": self.now() + delay}
        stmt = (
            update(JobRow)
            .where(JobRow.id == job.id, JobRow.lease_owner == owner, JobRow.state == RUNNING)
            .values(**values)
        )
        with self.engine.begin() as conn:
            if conn.execute(stmt).rowcount != 1:
                return ""
        return FAILED if final else QUEUED

    def release(self, job: Job, owner: str) -> bool:
        """Give ``job`` back unfinished (shutting down): queued again at once, the attempt not counted.

        The attempt stays on the row (the next run is a retry, which resumes what this one began)
        and one more attempt is allowed instead.
        """
        stmt = (
            update(JobRow)
            .where(JobRow.id == job.id, JobRow.lease_owner == owner, JobRow.state == RUNNING)
            .values(
                state=QUEUED,
                lease_owner=None,
                lease_until=None,
                run_after=self.now(),
                max_attempts=JobRow.max_attempts + 1,
            )
        )
        with self.engine.begin() as conn:
            return conn.execute(stmt).rowcount == 1

    def bury_lapsed(self) -> list[Job]:
        """Fail the jobs whose last attempt's holder vanished (lease lapsed, no attempt left); those jobs."""
        now = self.now()
        stmt = (
            update(JobRow)
            .where(JobRow.state == RUNNING, JobRow.lease_until < now, JobRow.attempts >= JobRow.max_attempts)
            .values(
                state=FAILED,
                finished_at=now,
                lease_owner=None,
                lease_until=None,
                error="the worker running its last attempt stopped without finishing it",
            )
            .returning(JobRow.id, JobRow.kind, JobRow.payload, JobRow.attempts, JobRow.max_attempts, JobRow.created_at)
        )
        with self.engine.begin() as conn:
            return [Job(*row) for row in conn.execute(stmt).all()]

    # looking ---------------------------------------------------------------------------------
    def state_of(self, job_id: int) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(JobRow.state).where(JobRow.id == job_id)).scalar()

    def counts(self) -> JobCounts:
        now = self.now()
        stmt = select(
            func.count().filter(JobRow.state == QUEUED),
            func.count().filter(JobRow.state == RUNNING),
            func.count().filter(JobRow.state == FAILED),
            func.count().filter(JobRow.attempts > 1),
            func.min(JobRow.created_at).filter(JobRow.state == QUEUED),
        ).where(JobRow.state.in_((QUEUED, RUNNING, FAILED)) | (JobRow.attempts > 1))
        with self.engine.connect() as conn:
            queued, running, failed, retried, oldest = conn.execute(stmt).one()
        if oldest is not None and oldest.tzinfo is None:  # SQLite hands back what the aggregate saw
            oldest = datetime.fromisoformat(str(oldest)).replace(tzinfo=UTC)
        age = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
        return JobCounts(queued, running, failed, retried, age)

    def purge_finished(self, older_than: timedelta) -> int:
        """Delete done and failed jobs finished before ``older_than`` ago (their dedupe keys go with them)."""
        cutoff = self.now() - older_than
        stmt = delete(JobRow).where(JobRow.state.in_((DONE, FAILED)), JobRow.finished_at < cutoff)
        with self.engine.begin() as conn:
            return conn.execute(stmt).rowcount

    # worker pools ----------------------------------------------------------------------------
    def pool_seen(self, owner: str, threads: int) -> None:
        """Say that the pool ``owner`` is running ``threads`` workers now."""
        now = self.now()
        insert = postgresql.insert if self._postgres else sqlite.insert
        stmt = insert(JobWorkerRow).values(owner=owner, threads=threads, started_at=now, seen_at=now)
        stmt = stmt.on_conflict_do_update(index_elements=["owner"], set_={"seen_at": now, "threads": threads})
        with self.engine.begin() as conn:
            conn.execute(stmt)

    def pool_gone(self, owner: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(JobWorkerRow).where(JobWorkerRow.owner == owner))

    def pools_seen_since(self, since: timedelta) -> int:
        """Worker threads in pools that said they were running within ``since``."""
        cutoff = self.now() - since
        stmt = select(func.coalesce(func.sum(JobWorkerRow.threads), 0)).where(
            JobWorkerRow.seen_at >= cutoff, JobWorkerRow.threads > 0
        )
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar() or 0)
