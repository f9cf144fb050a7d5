"""The composition root's scheduled work: each feature's jobs (the RDS sweep), plan expiry and the
reports, run by one leader.

``build_scheduler(bot)`` returns a ``SchedulerEngine`` (leader-gated APScheduler) with every job
registered: the core's, and every feature's ``jobs`` from the registry; ``chatops serve`` and
``chatops socket`` start it. The sandbox builds the same jobs and runs them directly with its
controllable clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from apscheduler.triggers.interval import IntervalTrigger

from bot.bootstrap import Bot
from bot.domain import AuditKind
from bot.mrkdwn import escape
from bot.scheduler.engine import SchedulerEngine, sweep_trigger
from bot.scheduler.leader import lock_for
from bot.services.reports import register_report_jobs
from bot.services.requests import Ask
from bot.services.startup import GRACE
from handlers import registry
from handlers.base import Job, JobWiring

log = logging.getLogger(__name__)

JOBS_KEPT = timedelta(days=1)


def announcer(bot: Bot, channel: str = ""):
    """``notify(text_en, text_ko, details)`` for scheduled work: a message in the report channel.

    When the details carry a ``request`` (a database tagged for adoption), the request is filed in
    that message's thread, so its schedule plan is proposed to ops for approval like any other.
    """
    target = channel or bot.settings.report_channel

    def notify(text_en: str, text_ko: str, details: dict[str, Any]) -> None:
        log.info("scheduled action", extra={"text": text_en, "details": details})
        if not target:
            return
        korean = bot.settings.default_language == "ko" and bool(text_ko)
        # the texts quote AWS (identifiers, error messages): escaped, so they show as AWS wrote them
        text = escape(text_ko) if korean else escape(text_en)  # one language a message, no English under Korean
        posted = bot.client.chat_postMessage(channel=target, text=text)
        request = details.get("request")
        if request:
            bot.deps.requests.submit(
                Ask(
                    user="scheduler",
                    channel=target,
                    text=text_en,
                    lang="ko" if korean else "en",
                    intent=request["intent"],
                    entities=dict(request["entities"]),
                    thread_ts=posted["ts"],
                )
            )

    return notify


def auditor(bot: Bot, actor: str):
    services = bot.deps.services

    def audit(kind: str, summary: str, before: Any, after: Any) -> None:
        services.audit(
            AuditKind(kind) if kind in AuditKind._value2member_map_ else AuditKind.SCHEDULE_ACTION,
            actor,
            summary,
            before=before,
            after=after,
        )

    return audit


def feature_job(bot: Bot, job: Job, channel: str = "") -> Callable[[], Any]:
    """A feature's scheduled job wired to the bot: the default cluster, the report channel (or
    ``channel``) for what it tells people, and the audit log."""
    services = bot.deps.services
    wiring = JobWiring(
        ctx=services.context(),
        clock=services.clock,
        settings=bot.settings,
        notify=announcer(bot, channel),
        audit=auditor(bot, "scheduler"),
    )
    return job.build(wiring)


def job_named(bot: Bot, name: str, channel: str = "") -> Callable[[], Any]:
    """The feature job called ``name`` (such as ``rds-sweep``), for callers that drive time themselves."""
    job = next((j for j in registry.jobs() if j.name == name), None)
    if job is None:
        raise KeyError(f"no feature has a job called {name!r}")
    return feature_job(bot, job, channel)


def build_scheduler(bot: Bot) -> SchedulerEngine:
    engine = SchedulerEngine(lock_for(bot.settings.database_url), now=bot.deps.services.clock)
    for job in registry.jobs():
        engine.add_job(job.name, feature_job(bot, job), sweep_trigger(job.every_minutes(bot.deps.services.ports)))
    engine.add_job("plans-expire", bot.deps.plans.expire_due, IntervalTrigger(minutes=1))
    engine.add_job(
        "applying-reconcile", lambda: bot.deps.applier.reconcile_applying(older_than=GRACE), IntervalTrigger(minutes=10)
    )
    # finished jobs are kept a day (a delivery Slack sends again within it is still recognised), then dropped
    engine.add_job("jobs-purge", lambda: bot.jobs.purge_finished(JOBS_KEPT), IntervalTrigger(hours=1))
    register_report_jobs(engine, bot.deps.reports)
    return engine
