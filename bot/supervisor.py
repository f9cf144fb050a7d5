"""Keeps a fixed set of spawned child processes alive for the serving process.

Used by ``bot.slack.workers.LazyWorkers`` (the processes that run lazy listeners) and
``bot.scheduler.process.SchedulerProcess`` (the scheduler, off the process answering Slack). A child
that dies (killed for memory, a crash in a native library) is replaced at once and its death is
logged with its exit code. Children call ``yield_cpu_to_acks`` first (they are background work)
and end with the serving process (workers when their call queue ends, the scheduler through
``when_parent_exits``). Children are spawned, never forked: the serving process already runs
threads, and a forked copy of a thread's lock can be held forever.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

log = logging.getLogger(__name__)
SPAWN = multiprocessing.get_context("spawn")
NICENESS = 10


def yield_cpu_to_acks() -> str:
    """Make this process background work: any thread answering Slack preempts it the moment it wakes.

    ``SCHED_IDLE`` (no privilege needed to lower one's own policy) runs only on CPU time nobody else
    wants, and the kernel preempts it at once when a normal thread wakes; a raised nice value only
    weighs the share. Falls back to nice where the policy is unavailable. Returns what it set.
    """
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return "SCHED_IDLE"
    except (AttributeError, OSError):
        os.nice(NICENESS)
        return f"nice {NICENESS}"


def when_parent_exits(then: Callable[[], None], note: str) -> None:
    """In a supervised child: call ``then`` (from a daemon thread) once the serving process is gone."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        log.warning(note)
        then()

    threading.Thread(target=watch, daemon=True, name="chatops-parent-watch").start()


class Supervisor:
    """``count`` processes running ``target(*args)``, each replaced when it dies, until ``stop``."""

    RESTART_PAUSE_SECONDS = 1.0  # a child that cannot even start must not make its supervisor spin

    def __init__(self, name: str, target: Callable[..., None], args: Sequence[Any], count: int = 1):
        self.name = name
        self._target, self._args = target, tuple(args)
        self.processes = [self._spawn(i) for i in range(count)]
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._supervise, daemon=True, name=f"{name}-supervisor")

    def _spawn(self, index: int) -> Any:
        return SPAWN.Process(target=self._target, args=self._args, daemon=True, name=f"{self.name}-{index}")

    def start(self) -> Supervisor:
        for p in self.processes:
            p.start()
        self._thread.start()
        return self

    def alive(self) -> int:
        return sum(1 for p in self.processes if p.is_alive())

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            multiprocessing.connection.wait([p.sentinel for p in self.processes], timeout=1.0)
            for i, p in enumerate(self.processes):
                if p.is_alive() or self._stopping.is_set():
                    continue
                log.error(
                    "%s died; starting a new one",
                    self.name,
                    extra={"child": p.name, "pid": p.pid, "exitcode": p.exitcode},
                )
                if self._stopping.wait(self.RESTART_PAUSE_SECONDS):
                    return
                replacement = self._spawn(i)
                replacement.start()
                self.processes[i] = replacement

    def stop(self, ask: Callable[[], None] = lambda: None, timeout: float = 10.0) -> None:
        """No more restarts; ``ask`` the children to finish, wait up to ``timeout`` each, then end them."""
        self._stopping.set()
        ask()
        for p in self.processes:
            p.join(timeout)
            if p.is_alive():
                log.warning(
                    "%s did not stop in %.0f s; terminating it",
                    self.name,
                    timeout,
                    extra={"child": p.name, "pid": p.pid},
                )
                p.terminate()
                p.join(timeout)
