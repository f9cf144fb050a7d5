"""``JobWorkers`` against a database that fails for a moment: a worker thread survives it.

The pool already survives a failed claim (it logs and polls again). Here the database refuses the
statement that marks a finished job done, once; the thread that ran it must go on claiming: the next
job is run, and the pool still has its one thread.
"""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from bot.services.workers import JobWorkers
from bot.store.db import make_engine
from bot.store.jobs import Job, JobStore
from tests.polling import wait


class FlakyFinish(JobStore):
    """A store whose first ``finish`` fails as a dropped database connection does."""

    failures = 1

    def finish(self, job: Job, owner: str) -> bool:
        if self.failures:
            self.failures -= 1
            raise OperationalError("UPDATE jobs ...", {}, ConnectionResetError("server closed the connection"))
        return super().finish(job, owner)


def test_a_database_error_when_finishing_a_job_does_not_end_the_worker_thread(db_url):
    engine = make_engine(db_url)
    store = FlakyFinish(engine)
    ran: list[int] = []
    first = store.enqueue("k", "key:1", {}, max_attempts=3)
    pool = JobWorkers(
        store, run=lambda job: ran.append(job.id), on_failed=lambda job: None, threads=1, poll_seconds=0.05
    )
    try:
        pool.start()
        wait(lambda: ran == [first], 30, "the first job to be run")
        wait(lambda: store.failures == 0, 30, "the failed finish")
        second = store.enqueue("k", "key:2", {}, max_attempts=3)
        pool.wake()
        # the second job run, or the pool left without a thread to run it
        wait(lambda: second in ran or pool.alive() == 0, 30, "the second job to be run, or the thread to end")
        assert second in ran and pool.alive() == 1, (second in ran, pool.alive())
        wait(lambda: store.state_of(second) == "done", 30, "the second job to be done")
    finally:
        pool.stop(grace=5)
        engine.dispose()
