"""The scheduler: APScheduler 3.x that runs only while this replica holds leadership.

A ``BackgroundScheduler`` with an in-memory job store (a shared SQLAlchemy job store runs jobs
twice across replicas, as its FAQ warns a job store cannot be shared). A watcher thread tries to become leader every
``check_seconds``; once leader it starts the scheduler with every registered job, re-checks the
lock on each tick and shuts the scheduler down the moment leadership is lost or in doubt.

Jobs are registered by ``bot.bootstrap.scheduling.build_scheduler``: each feature's jobs (``add_job("rds-sweep",
feature_job(bot, job), sweep_trigger(job.every_minutes(ports)))``), plan expiry every minute, reconciliation
of interrupted applies, and one job per scheduled report. Every job has ``coalesce=True`` and
``max_instances=1``, and runs once right after this replica becomes leader, so runs missed while
no replica led are caught up once, not replayed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.scheduler.leader import LeaderLock

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Callable[[], Any]
    trigger: BaseTrigger
    run_on_start: bool = True


def sweep_trigger(minutes: float = 5) -> IntervalTrigger:
    return IntervalTrigger(seconds=max(1.0, minutes * 60))


class SchedulerEngine:
    """Leader-gated APScheduler. ``now`` is the clock jobs should use (tests pass a fake one)."""

    def __init__(
        self,
        lock: LeaderLock,
        now: Callable[[], datetime] = utcnow,
        check_seconds: float = 5.0,
        misfire_grace_seconds: int = 300,
        on_leadership: Callable[[bool], None] | None = None,
    ):
        self.lock = lock
        self.now = now
        self.check_seconds = check_seconds
        self.misfire_grace_seconds = misfire_grace_seconds
        self.on_leadership = on_leadership
        self._jobs: dict[str, JobSpec] = {}
        self._scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._mutex = threading.Lock()
        self._leading = False

    # registration --------------------------------------------------------------------------
    def add_job(self, name: str, func: Callable[[], Any], trigger: BaseTrigger, *, run_on_start: bool = True) -> None:
        """Register (or replace) a job; it runs only while this replica leads."""
        with self._mutex:
            self._jobs[name] = JobSpec(name, func, trigger, run_on_start)
            if self._scheduler is not None:
                self._schedule(self._scheduler, self._jobs[name])

    @property
    def job_names(self) -> list[str]:
        return sorted(self._jobs)

    def run_now(self, name: str) -> Any:
        """Run one job synchronously (tests, demo, ``/ops`` admin); does not need leadership."""
        return self._jobs[name].func()

    # leadership ----------------------------------------------------------------------------
    @property
    def is_leader(self) -> bool:
        return self._leading

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, name="scheduler-leader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.check_seconds + 5)
            self._thread = None
        self._step_down()
        self.lock.release()

    def tick(self) -> bool:
        """One leadership check: become leader, stay leader, or step down. Returns leadership."""
        try:
            leading = self.lock.still_held() if self.is_leader else self.lock.try_acquire()
        except Exception:
            log.warning("leadership check raised; stepping down", exc_info=True)
            leading = False
        if leading and not self.is_leader:
            self._step_up()
        elif not leading and self.is_leader:
            self._step_down()
        return leading

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.tick()
            self._stop.wait(self.check_seconds)

    def _step_up(self) -> None:
        sched = BackgroundScheduler(
            jobstores={"default": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(4)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": self.misfire_grace_seconds,
            },
            timezone=UTC,
        )
        with self._mutex:
            for spec in self._jobs.values():
                self._schedule(sched, spec)
            self._leading = True  # before start(): a job due now checks it
            self._scheduler = sched
            sched.start()
        log.info("became scheduler leader; jobs: %s", ", ".join(self.job_names))
        if self.on_leadership:
            self.on_leadership(True)  # noqa: FBT003 (a callback that takes its one flag positionally)

    def _schedule(self, sched: BackgroundScheduler, spec: JobSpec) -> None:
        kwargs: dict[str, Any] = {"id": spec.name, "name": spec.name, "replace_existing": True}
        if spec.run_on_start:
            kwargs["next_run_time"] = datetime.now(UTC)
        sched.add_job(self._guarded(spec), spec.trigger, **kwargs)

    def _guarded(self, spec: JobSpec) -> Callable[[], None]:
        def run() -> None:
            if not self.is_leader:
                return
            try:
                spec.func()
            except Exception:
                log.exception("scheduled job %s failed", spec.name)

        return run

    def _step_down(self) -> None:
        with self._mutex:
            self._leading = False
            sched, self._scheduler = self._scheduler, None
        if sched is not None:
            sched.shutdown(wait=False)
            log.warning("no longer scheduler leader; scheduler stopped")
            if self.on_leadership:
                self.on_leadership(False)  # noqa: FBT003 (a callback that takes its one flag positionally)
