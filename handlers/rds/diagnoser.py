"""The RDS schedule diagnoser: ``/ops rds ...`` and free text such as "portal-rds-1 밤에 자동으로 꺼주세요".

It explains what AWS allows (an Aurora member is scheduled through its cluster; read replicas
and some deployments cannot be stopped) and proposes plans: ``rds.schedule.upsert`` and
``rds.override.add`` (``handlers.rds.schedule_ops``, writing the bot's tables through the
``ScheduleStore`` in ``RdsPorts``) or ``rds.stop`` / ``rds.start`` (``handlers.rds.operations``).
Schedules, the adoption tag and the default time zone come through ``ctx.ports`` (``RdsPorts``)
(``handlers.rds.inputs``).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot import errors
from bot.cloud.context import ClusterContext
from bot.domain import Diagnosis, Finding, FixPlan, Msg, PlanStep, Request, Risk, Severity, Verification
from bot.korean import attach
from handlers.rds import inputs, listing
from handlers.rds.api import api_target, decide, member_explanation
from handlers.rds.commands import COMMANDS, INTENT, override_until
from handlers.rds.discovery import discover, find_database
from handlers.rds.inputs import RdsPorts, ScheduleBook  # noqa: F401 (re-exported)
from handlers.rds.model import Database, Inventory
from handlers.rds.operations import step_for
from handlers.rds.schedule import (
    DEFAULT_START_CRON,
    DEFAULT_STOP_CRON,
    Schedule,
    override_state,
    schedule_state,
    upcoming,
)
from handlers.rds.verify import verify_plan

SCHEDULE_UPSERT = "rds.schedule.upsert"
OVERRIDE_ADD = "rds.override.add"


def _other_zone(ctx: ClusterContext, schedule_tz: str) -> ZoneInfo | None:
    """The requester's own time zone when Slack told it and it is not the schedule's."""
    mine = inputs.user_zone(ctx)
    return mine if mine is not None and mine.key != schedule_tz else None


def _finding(code: str, sev: Severity, title: Msg, target: str, **kw: Any) -> Finding:
    return Finding(code, sev, title, target=target, **kw)


class RdsDiagnoser:
    name = "rds"
    intents = (INTENT,)
    intent_labels = {INTENT: Msg("RDS schedule", "RDS 스케줄")}
    needs_kubernetes = False  # RDS and Aurora are AWS alone: no kubeconfig is needed
    commands = COMMANDS

    def diagnose(self, ctx: ClusterContext, request: Request) -> Diagnosis:
        verb = request.entities.get("verb") or ("schedule" if request.entities.get("db") else "list")
        if verb == "list":
            return self._list(ctx, request.entities.get("filter", ""))
        name = request.entities["db"]
        try:
            inv = find_database(ctx.aws, name, inputs.rule(ctx))
        except errors.NotFound:
            title = Msg(
                f"no RDS cluster or instance named {name} in {ctx.region}",
                f"{ctx.region}에 {name} 라는 RDS 클러스터나 인스턴스가 없습니다",
            )
            missing = _finding("rds.target.not_found", Severity.ERROR, title, name)
            return Diagnosis(self.name, name, title, (missing,))
        db = inv.find(name)
        assert db is not None
        target, redirected = api_target(inv, db)
        findings = []
        if redirected and target.is_aurora:  # a Multi-AZ DB cluster's refusal explains itself
            explain = member_explanation(db, target.id)
            findings.append(
                _finding("rds.target.member_of_cluster", Severity.INFO, explain, db.id, data={"cluster": target.id})
            )
            if db.tagged and not target.tagged:
                tag = inputs.rule(ctx)
                where = Msg(
                    f"the {tag} tag is on member {db.id}; it belongs on cluster {target.id}",
                    f"{tag} 태그가 멤버 {db.id}에 있습니다. 클러스터 {target.id}에 붙여야 합니다",
                )
                findings.append(_finding("rds.tag.on_member", Severity.INFO, where, db.id))
        if verb in ("stop", "start"):
            return self._stop_start(request, inv, db, target, findings, verb)
        if verb == "keep-running":
            return self._keep_running(ctx, request, target, findings)
        return self._schedule(ctx, request, inv, target, findings)

    def _list(self, ctx: ClusterContext, needle: str) -> Diagnosis:
        inv = discover(ctx.aws, inputs.rule(ctx))
        now, book = ctx.clock(), inputs.book(ctx)
        table = listing.rows(inv, book.schedules(), book.overrides(now), now, needle)
        n = len(table) - 1
        title = Msg(
            f"{n} RDS databases in {ctx.region}" + (f" matching {needle}" if needle else ""),
            f"{ctx.region}의 RDS 데이터베이스 {n}개" + (f" ({needle} 포함)" if needle else ""),
        )
        finding = _finding("rds.list", Severity.OK, title, needle or "*", table=table, count=n)
        return Diagnosis(self.name, needle or "*", title, (finding,))

    def _schedule(
        self, ctx: ClusterContext, request: Request, inv: Inventory, target: Database, findings: list[Finding]
    ) -> Diagnosis:
        refused = decide(inv, target, "stop")
        if refused.outcome == "refuse":
            f = _finding(
                refused.code,
                Severity.ERROR,
                refused.reason,
                target.id,
                evidence=(Msg.same(refused.aws_error), Msg.same(refused.source)),
            )
            return Diagnosis(self.name, target.id, refused.reason, (*findings, f))
        ents = request.entities
        sch = Schedule(
            target.kind,
            target.id,
            ents.get("stop_cron", DEFAULT_STOP_CRON),
            ents.get("start_cron", DEFAULT_START_CRON),
            ents.get("tz", inputs.tz(ctx)),
        )
        current = next((s for s in inputs.book(ctx).schedules() if s.key == sch.key), None)
        zone, mine = ZoneInfo(sch.tz), _other_zone(ctx, sch.tz)
        header: tuple[str, ...] = ("ACTION", "AT") + ((f"YOUR TIME ({mine.key})",) if mine else ())
        preview = [
            (n.action, n.at.astimezone(zone).strftime("%a %Y-%m-%d %H:%M %Z"))
            + ((n.at.astimezone(mine).strftime("%a %m-%d %H:%M %Z"),) if mine else ())
            for n in upcoming(sch, ctx.clock())
        ]
        crons = f"stop '{sch.stop_cron}', start '{sch.start_cron}' ({sch.tz})"
        title = Msg(
            f"schedule {target.kind} {target.id}: {crons}",
            f"{target.id} 스케줄: 중지 '{sch.stop_cron}', 시작 '{sch.start_cron}' ({sch.tz})",
        )
        if ents.get("schedule_note"):  # free text whose times the parser could not (fully) read
            note = Msg(ents["schedule_note"], ents.get("schedule_note_ko") or ents["schedule_note"])
            findings.append(_finding("rds.schedule.times_unread", Severity.WARNING, note, target.id))
        findings.append(
            _finding(
                "rds.schedule.proposed",
                Severity.INFO,
                title,
                target.id,
                table=(header, *preview),
                data={"current": schedule_state(current)},
            )
        )
        params = {
            "cluster_key": inputs.cluster_key(ctx),
            "target_kind": target.kind,
            "target_id": target.id,
            "stop_cron": sch.stop_cron,
            "start_cron": sch.start_cron,
            "tz": sch.tz,
            "requested_by": request.user,
        }
        verb_en, verb_ko = ("Change", "변경") if current else ("Create", "생성")
        step = PlanStep(
            SCHEDULE_UPSERT,
            params,
            schedule_state(current),
            schedule_state(sch),
            Msg(
                f"{verb_en} the stop/start schedule of {target.kind} {target.id}",
                f"{target.id}의 중지/시작 스케줄 {verb_ko}",
            ),
        )
        verify = {"check": "schedule", "kind": target.kind, "id": target.id, "after": step.after}
        plan = FixPlan(self.name, title, (step,), Risk.MEDIUM, target.id, verify=verify)
        return Diagnosis(self.name, target.id, title, tuple(findings), (plan,))

    def _stop_start(
        self, request: Request, inv: Inventory, db: Database, target: Database, findings: list[Finding], action: str
    ) -> Diagnosis:
        decision = decide(inv, db, action)
        if decision.outcome != "call":
            sev = Severity.ERROR if decision.outcome == "refuse" else Severity.OK
            evidence = (Msg.same(decision.aws_error), Msg.same(decision.source)) if decision.aws_error else ()
            f = _finding(decision.code, sev, decision.reason, target.id, evidence=evidence)
            return Diagnosis(self.name, target.id, decision.reason, (*findings, f))
        title = Msg(
            f"{action} {target.kind} {target.id} ({decision.api})",
            f"{target.id} {'중지' if action == 'stop' else '시작'} ({decision.api})",
        )
        findings.append(_finding(decision.code, Severity.INFO, decision.reason, target.id))
        step = step_for(action, target.kind, target.id, target.state, decision.reason)
        verify = {
            "check": "state",
            "kind": target.kind,
            "id": target.id,
            "expect": step.after["state"],
            "cause": f"user:{request.user}",
        }
        risk = Risk.MEDIUM if action == "stop" else Risk.LOW
        plan = FixPlan(self.name, title, (step,), risk, target.id, verify=verify)
        return Diagnosis(self.name, target.id, title, tuple(findings), (plan,))

    def _keep_running(
        self, ctx: ClusterContext, request: Request, target: Database, findings: list[Finding]
    ) -> Diagnosis:
        now, book = ctx.clock(), inputs.book(ctx)
        sch = next((s for s in book.schedules() if s.key == target.key), None)
        if sch is None:
            title = Msg(
                f"{target.id} has no stop/start schedule; nothing to keep running against",
                f"{target.id} 에는 중지/시작 스케줄이 없어 유지할 필요가 없습니다",
            )
            f = _finding("rds.override.no_schedule", Severity.WARNING, title, target.id)
            return Diagnosis(self.name, target.id, title, (*findings, f))
        until = override_until(request.entities, now, sch.tz)
        local = until.astimezone(ZoneInfo(sch.tz)).strftime("%m-%d %H:%M %Z")
        mine = _other_zone(ctx, sch.tz)
        if mine:  # the requester's own clock beside the schedule's
            local += f" ({until.astimezone(mine).strftime('%m-%d %H:%M %Z')}, {mine.key})"
        title = Msg(
            f"keep {target.kind} {target.id} running until {local}; the schedule resumes by itself after",
            f"{attach(target.id, '를')} {local}까지 계속 실행합니다. 이후에는 스케줄이 자동으로 다시 적용됩니다",
        )
        findings.append(_finding("rds.override.proposed", Severity.INFO, title, target.id))
        params = {
            "cluster_key": inputs.cluster_key(ctx),
            "target_kind": target.kind,
            "target_id": target.id,
            "until": until.isoformat(),
            "reason": request.text[:200],
            "requested_by": request.user,
        }
        before = override_state(book.overrides(now), target.kind, target.id, now)
        step = PlanStep(
            OVERRIDE_ADD,
            params,
            before,
            {"until": until.isoformat()},
            Msg(f"Keep {target.id} running until {local}", f"{attach(target.id, '를')} {local}까지 실행 유지"),
        )
        verify = {"check": "override", "kind": target.kind, "id": target.id, "until": until.isoformat()}
        plan = FixPlan(self.name, title, (step,), Risk.LOW, target.id, verify=verify)
        return Diagnosis(self.name, target.id, title, tuple(findings), (plan,))

    def verify(self, ctx: ClusterContext, plan: FixPlan) -> Verification:
        return verify_plan(ctx, plan)


DIAGNOSER = RdsDiagnoser()
