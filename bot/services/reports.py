"""Scheduled reports: configure, run when due, diff against the last run, post only what is news.

``ReportService`` is built by ``bot.slack.listeners.reports.register`` (which hands it a
``ReportPoster`` backed by the Slack Web API) and driven by the ``/ops report ...`` sub-commands
and by the scheduler: ``register_report_jobs(engine, service)`` adds one leader-only job that
calls ``run_due()`` every minute, which runs each report whose cron fired since its last run
once (so a report missed while the bot was down runs once on start, not once per missed slot).
Every run is recorded with its content hash; content identical to the last run is not posted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from apscheduler.triggers.interval import IntervalTrigger

from bot import cron as cron_rules
from bot.cloud.context import ClusterContext
from bot.domain import AuditKind
from bot.errors import ChannelUnavailable, ChatOpsError, UsageError
from bot.korean import attach
from bot.reportkit.model import Chart, ReportContent
from bot.reports import approvals, audit, health, health_collect
from bot.services.core import Services
from bot.store.reports import ReportConfigRow, ReportRepo
from handlers import registry

log = logging.getLogger(__name__)

CORE_KINDS = ("health", "approvals", "audit")
KINDS = (*CORE_KINDS, *(kind.name for kind in registry.report_kinds()))
RUN_LEASE = timedelta(minutes=10)  # longer than any run; a run that died frees its report after this


class NotAllowed(ChatOpsError):
    """Only approvers may change or run reports."""


class ReportBusy(UsageError):
    """Another run of the same report is in progress (the scheduler's, or someone's ``report run``)."""


class ReportPoster(Protocol):
    """Where reports go (implemented with the Slack Web API in ``bot.slack.listeners.reports``)."""

    def post(self, channel: str, text: str, blocks: Sequence[Mapping[str, Any]]) -> str:
        """Post a message; return its ts."""
        ...

    def upload(self, channel: str, thread_ts: str, chart: Chart) -> None: ...

    def refused(self, cfg: ReportConfigRow, exc: ChannelUnavailable) -> None:
        """Tell the report's owner that Slack refused to post it in its channel."""
        ...


@dataclass(frozen=True)
class RunResult:
    report_id: int
    run_id: int
    posted: bool
    ts: str
    content: ReportContent

    def __str__(self) -> str:
        posted = "posted" if self.posted else "not posted"
        return f"report #{self.report_id} run #{self.run_id}: {posted} {self.content}"


def check_cron(cron: str) -> str:
    """A report's schedule: five cron fields or an ``@daily``-style shortcut."""
    return cron_rules.check_cron(cron, shortcuts=True)


def next_fire(cron: str, tz: str, after: datetime) -> datetime:
    return cron_rules.next_fire(cron, after.astimezone(cron_rules.zone(tz)))


class ReportService:
    def __init__(
        self,
        svc: Services,
        poster: ReportPoster,
        repo: ReportRepo | None = None,
        not_ready_minutes: int = 10,
    ):
        self.svc = svc
        self.poster = poster
        self.repo = repo or ReportRepo(svc.repo.sessions)
        self.not_ready_minutes = not_ready_minutes

    # configuration ---------------------------------------------------------------------------
    def _require_approver(self, user: str) -> None:
        if not self.svc.approvers.is_approver(user):
            raise NotAllowed(f"only approvers ({self.svc.approvers.mention()}) can change or run reports")

    def add(self, kind: str, channel: str, cron: str, tz: str, user: str, lang: str = "en") -> ReportConfigRow:
        self._require_approver(user)
        if kind not in KINDS:
            raise UsageError(
                f"unknown report kind `{kind[:20]}`; choose one of {', '.join(KINDS)}.",
                f"알 수 없는 보고서 종류 `{kind[:20]}`. {', '.join(KINDS)} 중에서 고르세요.",
            )
        cron, tz = check_cron(cron), tz or self.svc.settings.default_timezone
        cron_rules.zone(tz)
        # the same report again (a retried job whose first attempt added it, or the same command twice)
        # is the one that exists: two identical reports would post the same thing at the same time
        same = next(
            (c for c in self.repo.list_configs() if (c.kind, c.channel, c.cron, c.tz) == (kind, channel, cron, tz)),
            None,
        )
        if same is not None:
            return same
        row = self.repo.add_config(kind, channel, cron, tz, user, self.svc.clock(), lang)
        self.svc.audit(
            AuditKind.REPORT_CONFIGURED,
            user,
            f"report #{row.id} added: {kind} to {channel} at '{cron}' {tz}",
            after={"kind": kind, "channel": channel, "cron": cron, "tz": tz},
        )
        return row

    def list(self) -> list[ReportConfigRow]:
        return self.repo.list_configs()

    def remove(self, report_id: int, user: str) -> bool:
        self._require_approver(user)
        done = self.repo.disable(report_id)
        if done:
            self.svc.audit(AuditKind.REPORT_CONFIGURED, user, f"report #{report_id} removed")
        return done

    # running ----------------------------------------------------------------------------------
    def due(self, cfg: ReportConfigRow, now: datetime) -> bool:
        last = self.repo.last_run(cfg.id)
        return next_fire(cfg.cron, cfg.tz, last.at if last else cfg.created_at) <= now

    def run_due(self, now: datetime | None = None) -> list[RunResult]:
        """Run, once, every enabled report whose cron fired since its last run (the scheduler's job)."""
        now = now or self.svc.clock()
        results = []
        for cfg in self.repo.list_configs():
            if not self.due(cfg, now):
                continue
            try:
                results.append(self._run(cfg, now))
            except ReportBusy:
                log.info("report already running elsewhere; skipped", extra={"report_id": cfg.id})
            except ChannelUnavailable as exc:  # audited and told to the owner in _refused
                log.warning("report not posted", extra={"report_id": cfg.id, "error": exc.code})
            except Exception:
                log.exception("report run failed", extra={"report_id": cfg.id, "kind": cfg.kind})
        return results

    def run(self, report_id: int, user: str = "", now: datetime | None = None) -> RunResult:
        """``/ops report run ID``: run one report now (approvers only when a user asks)."""
        if user:
            self._require_approver(user)
        cfg = self.repo.get_config(report_id)
        if cfg is None or not cfg.enabled:
            raise UsageError(
                f"there is no report #{report_id}; see `report list`.",
                f"보고서 #{attach(report_id, '가')} 없습니다. `report list` 를 확인하세요.",
            )
        return self._run(cfg, now or self.svc.clock())

    def _run(self, cfg: ReportConfigRow, now: datetime) -> RunResult:
        """One run under the report's lease: never two at once (the scheduler's and a manual one)."""
        if not self.repo.claim(cfg.id, now, RUN_LEASE):
            raise ReportBusy(
                f"report #{cfg.id} is running right now; its post will follow.",
                f"보고서 #{attach(cfg.id, '가')} 지금 실행 중입니다. 곧 게시됩니다.",
            )
        try:
            return self._run_claimed(cfg, now)
        finally:
            self.repo.release(cfg.id)

    def _run_claimed(self, cfg: ReportConfigRow, now: datetime) -> RunResult:
        local = now.astimezone(cron_rules.zone(cfg.tz))
        previous = self.repo.last_run(cfg.id)
        content = self.build(cfg, previous.state if previous else None, local)
        digest = content.content_hash
        ts = ""
        if previous is None or previous.content_hash != digest:
            try:
                ts = self.poster.post(cfg.channel, content.text, content.blocks)
            except ChannelUnavailable as exc:
                self._refused(cfg, now, previous, exc)
                raise
            for chart in content.charts:
                self.poster.upload(cfg.channel, ts, chart)
        row = self.repo.add_run(cfg.id, now, digest, dict(content.state), ts)
        if ts:
            self.svc.audit(
                AuditKind.REPORT_POSTED,
                "bot",
                f"report #{cfg.id} {cfg.kind} posted to {cfg.channel} "
                f"({'changes' if content.changed else 'unchanged'})",
                after={"hash": digest, "ts": ts},
            )
        return RunResult(cfg.id, row.id, bool(ts), ts, content)

    def _refused(self, cfg: ReportConfigRow, now: datetime, previous: Any, exc: ChannelUnavailable) -> None:
        """Slack would not post in the report's channel: audited, the owner told, and the run recorded
        as not posted (an empty hash, the previous state), so the next scheduled run tries again."""
        self.svc.audit(
            AuditKind.POST_REFUSED,
            "slack",
            f"report #{cfg.id} {cfg.kind} not posted to {cfg.channel}: {exc.code}",
            after={"channel": cfg.channel, "error": exc.code, "report_id": cfg.id},
        )
        self.repo.add_run(cfg.id, now, "", dict(previous.state) if previous else {}, "")
        self.poster.refused(cfg, exc)

    def build(self, cfg: ReportConfigRow, previous: Mapping[str, Any] | None, now: datetime) -> ReportContent:
        """Collect the kind's data (I/O) and build its content (pure)."""
        builders: dict[str, Callable[[], ReportContent]] = {
            "health": lambda: health.build(self._health_data(), previous, now, cfg.lang),
            "approvals": lambda: approvals.build(
                approvals.collect(self.svc.repo, self.svc.approvers.mention()), previous, now, cfg.lang
            ),
            "audit": lambda: audit.build(audit.collect(self.svc.repo, now), previous, now, cfg.lang),
        }
        feature_kind = next((k for k in registry.report_kinds() if k.name == cfg.kind), None)
        if feature_kind is not None:
            return feature_kind.build(self._default_context(), previous, now, cfg.lang)
        return builders[cfg.kind]()

    def _default_context(self) -> ClusterContext:
        """The default cluster's context, with the features' ports (their stores and settings)."""
        return self.svc.context(self.svc.contexts.default_cluster())

    def _health_data(self) -> health.HealthData:
        return health_collect.collect(self._default_context(), self.not_ready_minutes)

    # buttons -----------------------------------------------------------------------------------
    def find_item(self, short: str) -> tuple[ReportConfigRow, dict[str, Any]] | None:
        """The report item a ``report_diagnose`` button refers to (by its 12-character handle)."""
        for run in self.repo.recent_runs():
            for item in (run.state or {}).get("items", {}).values():
                if item.get("h") == short and item.get("ask"):
                    cfg = self.repo.get_config(run.report_id)
                    return (cfg, item) if cfg is not None else None
        return None


def register_report_jobs(scheduler: Any, service: ReportService, every_seconds: float = 60.0) -> None:
    """Add the reports job to the leader-only scheduler (``bot.scheduler.engine.SchedulerEngine``).

    The engine runs every job once when this replica becomes leader and coalesces missed ticks;
    ``run_due`` then runs each report whose cron fired while nobody led exactly once.
    """
    scheduler.add_job("reports", service.run_due, IntervalTrigger(seconds=every_seconds))
