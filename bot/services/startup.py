"""What a replica does once at start-up: settle plans a dead replica left in ``applying``.

A replica killed in the middle of applying a plan leaves it in ``applying``, with an intent row
(``step_runs``) for each step whose write it had started. The next replica to start asks
``ApplyService.reconcile_applying`` to settle each such plan step by step: it reads what is live
for every step, records it, tells the thread which steps were applied, which were not and which
are unknown, audits each, marks the plan applied (every step live as planned) or failed, and
proposes an undo plan (approved like any plan) for the steps that were applied when not all were.

Other replicas may be alive and applying at this very moment (a rolling update starts new pods
while old ones work), so a plan is only settled once it has been ``applying`` for longer than any
live apply takes (``GRACE``, counted from its approval). While a younger plan is in flight the
check is deferred, on a timer, until that plan is old enough; by then its own replica has
finished it or died.

Called by ``chatops serve`` and ``chatops socket`` after ``bootstrap.build``, and by tests.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.domain import PlanStatus
from bot.services.apply import ApplyService
from bot.services.core import Services
from bot.store.records import PlanRecord

log = logging.getLogger(__name__)

GRACE = timedelta(minutes=5)


class _Deps(Protocol):
    services: Services
    applier: ApplyService


class _Bot(Protocol):
    deps: _Deps


@dataclass(frozen=True)
class StartupReport:
    """What ``on_start`` did: plans settled now, plans still too young, and when it looks again."""

    reconciled: int
    deferred: int = 0
    retry_in: timedelta | None = None

    def __str__(self) -> str:
        later = f", {self.deferred} deferred for {self.retry_in}" if self.deferred else ""
        return f"reconciled {self.reconciled} interrupted plan(s){later}"


def _since(plan: PlanRecord) -> datetime:
    return plan.decided_at or plan.created_at


def on_start(
    bot: _Bot, grace: timedelta = GRACE, schedule: Callable[[float, Callable[[], Any]], Any] | None = None
) -> StartupReport:
    """Reconcile interrupted plans now, or once the youngest in-flight plan is older than ``grace``.

    ``schedule(seconds, fn)`` runs ``fn`` later (a daemon ``threading.Timer`` by default).
    """
    svc, applier = bot.deps.services, bot.deps.applier
    applying = svc.repo.plans_with_status(PlanStatus.APPLYING)
    if not applying:
        return StartupReport(0)
    now = svc.clock()
    young = [p for p in applying if _since(p) + grace > now]
    if young:
        wait = max(_since(p) + grace - now for p in young)
        log.info("start-up: %d plan(s) in applying may still be in flight; looking again in %s", len(young), wait)
        (schedule or _timer)(wait.total_seconds(), lambda: on_start(bot, grace, schedule))
        return StartupReport(0, deferred=len(young), retry_in=wait)
    count = applier.reconcile_applying(older_than=grace)
    log.info("start-up: reconciled %d plan(s) left in applying by a stopped replica", count)
    return StartupReport(count)


def _timer(seconds: float, fn: Callable[[], Any]) -> threading.Timer:
    timer = threading.Timer(seconds, fn)
    timer.daemon = True
    timer.start()
    return timer
