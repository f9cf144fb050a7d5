"""The scheduler in a process of its own, so scheduled work never shares the GIL with the acks.

With ``LAZY_WORKERS`` > 0, ``chatops serve`` and ``chatops socket`` keep only verification and acks in
the serving process: lazy listeners go to ``bot.slack.workers``, and the leader-gated scheduler
(``bot.bootstrap.scheduling.build_scheduler``: RDS sweeps, plan expiry, reconciling, reports with their charts) runs
here, in one spawned process at background priority, kept alive by a ``Supervisor``. Leadership
across replicas is unchanged: this process takes the same lock the serving process would have.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.supervisor import SPAWN, Supervisor, when_parent_exits, yield_cpu_to_acks

log = logging.getLogger(__name__)


def scheduler_main(settings_values: dict[str, Any], stop: Any) -> None:
    """Entry point of the scheduler process: run the scheduler until told to stop or orphaned."""
    from bot import logging_setup
    from bot.bootstrap import build
    from bot.bootstrap.scheduling import build_scheduler
    from bot.settings import Settings

    settings = Settings(**settings_values)
    logging_setup.configure(settings.log_level)
    yield_cpu_to_acks()
    scheduler = build_scheduler(build(settings))
    scheduler.start()
    when_parent_exits(stop.set, "serving process is gone: stopping the scheduler")
    try:
        stop.wait()
    finally:
        scheduler.stop()  # releases leadership, so another replica can take over at once


class SchedulerProcess:
    """The supervised scheduler process of one serving process."""

    def __init__(self, settings_values: dict[str, Any]):
        self._stop = SPAWN.Event()
        self._supervisor = Supervisor("chatops-scheduler", scheduler_main, (settings_values, self._stop))

    def start(self) -> SchedulerProcess:
        self._supervisor.start()
        return self

    def stop(self, timeout: float = 15.0) -> None:
        self._supervisor.stop(self._stop.set, timeout)
