"""A pool of worker threads that run jobs from the jobs table (``bot.store.jobs``) until told to stop.

Each thread claims one job at a time under a lease and runs it; one heartbeat thread renews the
leases of every job the pool is running and tells the table the pool is alive (readiness reads
that). A worker killed mid-job stops renewing, its lease lapses, and another worker (in this process
after a restart, or another replica) claims the job again; the job's handler resumes from the state
the first attempt left. When every attempt is used, ``on_failed`` tells the person who asked.

``stop(grace)``: no new claims; running jobs get up to ``grace`` seconds to finish; what is still
running then is released (queued again, the attempt not counted) for another process to take.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from bot.cloud.metrics import JOBS_FINISHED, TIME_TO_ANSWER
from bot.store.jobs import FAILED, Job, JobStore

log = logging.getLogger(__name__)


def new_owner() -> str:
    """This pool's name in the lease columns: host, process and a random tail (a restarted pid is new)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class JobWorkers:
    def __init__(
        self,
        store: JobStore,
        run: Callable[[Job], None],
        on_failed: Callable[[Job], None],
        threads: int,
        lease_seconds: float = 30.0,
        poll_seconds: float = 1.0,
        retry_delay_seconds: float = 5.0,
    ):
        self.store, self._run, self._on_failed = store, run, on_failed
        self.threads = threads
        self.lease = timedelta(seconds=lease_seconds)
        self.poll_seconds = poll_seconds
        self.retry_delay = timedelta(seconds=retry_delay_seconds)
        self.owner = new_owner()
        self._wake = threading.Condition()
        self._pending_wakes = 0
        self._stopping = threading.Event()
        self._running: dict[int, Job] = {}
        self._lock = threading.Lock()
        self._workers: list[threading.Thread] = []
        self._heartbeat: threading.Thread | None = None

    # lifecycle -------------------------------------------------------------------------------
    def start(self) -> JobWorkers:
        self.store.pool_seen(self.owner, self.threads)
        for n in range(self.threads):
            thread = threading.Thread(target=self._work, name=f"job-worker-{n}", daemon=True)
            thread.start()
            self._workers.append(thread)
        self._heartbeat = threading.Thread(target=self._beat, name="job-heartbeat", daemon=True)
        self._heartbeat.start()
        log.info("job workers started", extra={"owner": self.owner, "threads": self.threads})
        return self

    def alive(self) -> int:
        """Worker threads running in this pool (0 before start and after stop)."""
        return sum(t.is_alive() for t in self._workers)

    def wake(self) -> None:
        """A job was just queued by this process: let an idle worker look now instead of at its next poll."""
        with self._wake:
            self._pending_wakes += 1
            self._wake.notify()

    def stop(self, grace: float = 30.0) -> None:
        """Stop claiming, give running jobs up to ``grace`` seconds, release the rest, and end."""
        self._stopping.set()
        with self._wake:
            self._wake.notify_all()
        deadline = time.monotonic() + grace
        for thread in self._workers:
            thread.join(timeout=max(deadline - time.monotonic(), 0.0))
        with self._lock:
            unfinished = list(self._running.values())
        for job in unfinished:
            if self.store.release(job, self.owner):
                log.warning("released a job still running at shutdown", extra={"job": job.id, "kind": job.kind})
        if self._heartbeat is not None:
            self._heartbeat.join(timeout=max(self.lease.total_seconds() / 3, 1.0))
        try:
            self.store.pool_gone(self.owner)
        except Exception:
            log.warning("could not remove this pool's row from job_workers", exc_info=True)
        log.info("job workers stopped", extra={"owner": self.owner, "released": len(unfinished)})

    # the loops -------------------------------------------------------------------------------
    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                job = self.store.claim(self.owner, self.lease)
            except Exception:
                log.warning("could not claim a job", exc_info=True)
                job = None
            if job is None:
                self._idle()
                continue
            try:
                self._run_one(job)
            except Exception:  # the database away while recording the outcome: the lease lapses, it is retried
                log.exception("could not record a job's outcome", extra={"job": job.id})

    def _idle(self) -> None:
        with self._wake:
            if self._pending_wakes == 0 and not self._stopping.is_set():
                self._wake.wait(timeout=self.poll_seconds)
            self._pending_wakes = max(self._pending_wakes - 1, 0)

    def _run_one(self, job: Job) -> None:
        with self._lock:
            self._running[job.id] = job
        try:
            self._run(job)
        except Exception as exc:
            log.exception("job failed", extra={"job": job.id, "kind": job.kind, "attempt": job.attempts})
            left = self.store.retry_or_fail(job, self.owner, f"{type(exc).__name__}: {exc}", self.retry_delay)
            JOBS_FINISHED.labels("failed" if left == FAILED else "retried").inc()
            if left == FAILED:
                self._tell_failed(job)
            return
        finally:
            with self._lock:
                self._running.pop(job.id, None)
        if self.store.finish(job, self.owner):
            JOBS_FINISHED.labels("done").inc()
            TIME_TO_ANSWER.observe(max(time.time() - job.created_at.timestamp(), 0.0))
        else:
            log.warning("finished a job whose lease had passed to another worker", extra={"job": job.id})

    def _beat(self) -> None:
        interval = max(self.lease.total_seconds() / 3, 0.05)
        while not self._stopping.wait(interval):
            with self._lock:
                ids = list(self._running)
            try:
                held = self.store.renew(self.owner, ids, self.lease)
                self.store.pool_seen(self.owner, self.alive())
                for job in self.store.bury_lapsed():
                    JOBS_FINISHED.labels("failed").inc()
                    self._tell_failed(job)
            except Exception:
                log.warning("job heartbeat failed", exc_info=True)
                continue
            for lost in set(ids) - held:
                log.error("lost the lease of a running job to another worker", extra={"job": lost})

    def _tell_failed(self, job: Job) -> None:
        try:
            self._on_failed(job)
        except Exception:
            log.exception("could not tell anyone that a job failed", extra={"job": job.id})
