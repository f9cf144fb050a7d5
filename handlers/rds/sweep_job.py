"""One RDS schedule sweep: discover, compare desired with actual, act, record, tell.

The feature's scheduled job (``JOBS``): the core's scheduler runs it every ``RDS_SWEEP_MINUTES`` on the
leader replica (the demo and tests call it directly). It reads schedules, overrides and its
action log through the ``ScheduleStore`` in ``RdsPorts``, asks the pure
``handlers.rds.sweep.plan_sweep`` what to do, performs stops/starts with the API that
``handlers.rds.api`` picked, records every outcome and calls ``notify`` (a message in the report
channel, connected by the composition root) and ``audit`` for each action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.cloud.aws import Aws
from bot.cloud.context import FeaturePorts
from bot.domain import AuditKind
from bot.errors import CloudError
from bot.korean import attach
from handlers.base import Job, JobWiring
from handlers.rds import inputs
from handlers.rds.discovery import discover
from handlers.rds.inputs import ScheduleStore
from handlers.rds.model import Database, TagRule
from handlers.rds.operations import call
from handlers.rds.schedule import DEFAULT_START_CRON, DEFAULT_STOP_CRON
from handlers.rds.sweep import PROPOSE, SweepAction, SweepNote, plan_sweep

Notify = Callable[[str, str, dict[str, Any]], None]
Audit = Callable[[str, str, Any, Any], None]
HISTORY = timedelta(days=8)  # longer than AWS's 7-day auto-start, so a self-restart is recognised
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_AS_REPORTED = {
    "stopped": ("stopped", "중지됨"),
    "stopping": ("stopping (AWS reports it stopped in a few minutes)", "중지 중 (몇 분 뒤 중지됨)"),
    "running": ("available", "실행 중"),
    "starting": ("starting (AWS reports it available in a few minutes)", "시작 중 (몇 분 뒤 실행됨)"),
}


@dataclass
class SweepOutcome:
    """What one run did (returned for tests, the demo and the admin command)."""

    at: datetime
    done: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    proposals: list[dict[str, Any]] = field(default_factory=list)
    api_calls: int = 0


class SweepJob:
    def __init__(
        self,
        aws: Aws,
        store: ScheduleStore,
        notify: Notify,
        audit: Audit,
        clock: Callable[[], datetime],
        rule: TagRule | None = None,
        default_tz: str = "UTC",
    ):
        self.aws, self.store, self.notify, self.audit = aws, store, notify, audit
        self.clock, self.rule, self.default_tz = clock, rule or TagRule(), default_tz

    def __call__(self) -> SweepOutcome:
        return self.run()

    def run(self) -> SweepOutcome:
        now = self.clock()
        calls_before = self.aws.counter.total()
        inv = discover(self.aws, self.rule)
        history = self.store.actions(now - HISTORY, now + timedelta(seconds=1))
        history += self.store.actions(EPOCH, now - HISTORY, action=PROPOSE)
        plan = plan_sweep(inv, self.store.schedules(), self.store.overrides(now), history, now)
        out = SweepOutcome(now)
        for act in plan.actions:
            out.done.append(self._act(act, now))
        for note in plan.notes:
            if not note.repeat:
                out.notes.append(self._note(note, now))
        for db in plan.adoptions:
            out.proposals.append(self._propose(db.kind, db.id, now))
        out.api_calls = self.aws.counter.total() - calls_before
        return out

    def _act(self, act: SweepAction, now: datetime) -> dict[str, Any]:
        kind, ident = act.key
        before = {"state": "running" if act.action == "stop" else "stopped"}
        after = {"state": "stopped" if act.action == "stop" else "running"}
        if act.cause == "self_restart":
            self.store.record_action(
                kind,
                ident,
                "start",
                "self_restart",
                "observed",
                "found running during a stop period (AWS 7-day auto start)",
                at=now,
            )
        details = {
            "kind": "rds_action",
            "action": act.action,
            "target_kind": kind,
            "target_id": ident,
            "api": act.decision.api,
            "cause": act.cause,
            "catch_up": act.catch_up,
            "schedule_id": act.schedule.id,
        }
        try:
            status = call(self.aws, act.decision)
        except CloudError as exc:
            self.store.record_action(kind, ident, act.action, act.cause, "failed", str(exc), at=now)
            details.update(result="failed", error=str(exc))
            self.notify(
                f"⚠️ could not {act.action} {kind} {ident}: {exc.code}: {exc.detail}",
                f"⚠️ {ident} {'중지' if act.action == 'stop' else '시작'} 실패: {exc.code}: {exc.detail}",
                details,
            )
            self.audit(
                AuditKind.SCHEDULE_ACTION.value,
                f"{act.action} {kind}:{ident} failed ({act.cause})",
                before,
                {"error": str(exc)},
            )
            return details
        self.store.record_action(kind, ident, act.action, act.cause, "ok", act.reason.en, at=now)
        # What AWS answered: "stopping"/"starting" while the database gets there, reported as such.
        state = Database(kind, ident, status=status).state if status else after["state"]
        details.update(result="ok", status=status or after["state"], state=state)
        after = {"state": state}
        now_en, now_ko = _AS_REPORTED.get(state, (f"status {status}", f"상태 {status}"))
        if act.cause == "self_restart":
            en = (
                f"🔁 re-stopped {kind} {ident} after it started itself "
                f"(AWS starts a stopped database after 7 days); it is {now_en}"
            )
            ko = (
                f"🔁 {attach(ident, '가')} 스스로 시작되어 다시 중지했습니다 "
                f"(AWS는 중지된 DB를 7일 뒤 자동으로 시작합니다). 현재 {now_ko}"
            )
        else:
            verb_en, verb_ko = ("stop", "중지") if act.action == "stop" else ("start", "시작")
            en = f"⏱️ {verb_en} {kind} {ident} on schedule ({act.decision.api}), now {now_en}: {act.reason.en}"
            ko = f"⏱️ 스케줄에 따라 {ident} {verb_ko} ({act.decision.api}), 현재 {now_ko}: {act.reason.ko}"
        self.notify(en, ko, details)
        self.audit(AuditKind.SCHEDULE_ACTION.value, f"{act.action} {kind}:{ident} ({act.cause})", before, after)
        return details

    def _note(self, note: SweepNote, now: datetime) -> dict[str, Any]:
        result = {
            "rds.sweep.refused": "refused",
            "rds.sweep.user_override": "skipped",
            "rds.sweep.missing": "missing",
        }.get(note.code)
        details = {
            "kind": "rds_note",
            "code": note.code,
            "target_kind": note.target_kind,
            "target_id": note.target_id,
            "action": note.action,
        }
        if result is None:
            return details
        if note.decision is not None:
            details["aws_error"] = note.decision.aws_error
        if result == "refused":  # skipped, not failed: AWS would refuse the call, so none is made
            self.audit(
                AuditKind.SCHEDULE_ACTION.value,
                f"{note.action} {note.target_kind}:{note.target_id} refused (schedule)",
                None,
                {"refused": details.get("aws_error", ""), "reason": note.message.en},
            )
        self.store.record_action(
            note.target_kind,
            note.target_id,
            note.action or "check",
            "schedule",
            result,
            note.message.en,
            at=now,
        )
        self.notify(f"ℹ️ {note.message.en}", f"ℹ️ {note.message.ko}", details)
        return details

    def _propose(self, kind: str, ident: str, now: datetime) -> dict[str, Any]:
        tag = str(self.rule)
        details = {
            "kind": "rds_adoption",
            "target_kind": kind,
            "target_id": ident,
            "stop_cron": DEFAULT_STOP_CRON,
            "start_cron": DEFAULT_START_CRON,
            "tz": self.default_tz,
            "request": {
                "intent": "rds_schedule",
                "entities": {"verb": "schedule", "db": ident, "tz": self.default_tz},
            },
        }
        self.store.record_action(kind, ident, PROPOSE, f"tag:{tag}", "ok", "default schedule proposed", at=now)
        self.notify(
            f"🏷️ {kind} {ident} is tagged {tag}: proposing the default schedule (stop "
            f"'{DEFAULT_STOP_CRON}', start '{DEFAULT_START_CRON}', {self.default_tz}) for approval",
            f"🏷️ {ident}에 {tag} 태그가 있어 기본 스케줄 (중지 '{DEFAULT_STOP_CRON}', 시작 "
            f"'{DEFAULT_START_CRON}', {self.default_tz}) 을 승인 요청합니다",
            details,
        )
        return details


def build_sweep(wiring: JobWiring) -> SweepJob:
    """The sweep as the core's scheduler runs it: on the default cluster's AWS account, through the
    feature's ports (its store, adoption tag and default time zone)."""
    ports = inputs.ports(wiring.ctx)
    return SweepJob(
        wiring.ctx.aws,
        inputs.store(wiring.ctx),
        wiring.notify,
        wiring.audit,
        wiring.clock,
        rule=ports.tag,
        default_tz=ports.default_tz,
    )


def sweep_minutes(ports: FeaturePorts) -> float:
    found = ports.get(inputs.RdsPorts)
    return found.sweep_minutes if found is not None else inputs.RdsPorts().sweep_minutes


JOBS = (Job("rds-sweep", build_sweep, every_minutes=sweep_minutes),)
