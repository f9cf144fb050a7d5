"""The RDS diagnoser end to end: diagnose against moto -> apply the plan's steps -> verify -> revert."""

from __future__ import annotations

from bot.cloud.context import FeaturePorts
from bot.domain import Request
from handlers.rds import DIAGNOSER, OPERATIONS
from handlers.rds.diagnoser import OVERRIDE_ADD, SCHEDULE_UPSERT
from handlers.rds.inputs import RdsPorts
from handlers.rds.persistence.book import RepoScheduleBook
from sandbox.worlds.rds import tick
from tests.rds.helpers import Clock, apply_step, kst, seed_read_replica


def _ops(repo):
    return {op.name: op for op in OPERATIONS}


def _ports(repo, **kwargs):
    book = RepoScheduleBook(repo)
    return FeaturePorts(RdsPorts(book, store=book, **kwargs))


def _ask(ctx, lang="en", **entities):
    return DIAGNOSER.diagnose(
        ctx, Request("rds_schedule", entities, lang=lang, user="U-dev", text="portal-rds-1 밤에 자동으로 꺼주세요")
    )


def test_member_request_becomes_an_approved_cluster_schedule(rds_ctx, sqlite_repo):
    rds_ctx.clock = Clock(kst(2026, 11, 23, 12, 0))
    # DEFAULT_TIMEZONE of a team in Seoul
    rds_ctx.ports = _ports(sqlite_repo, default_tz="Asia/Seoul")
    diag = _ask(rds_ctx, db="portal-rds-1")  # free text: no verb, no crons -> default night schedule
    assert diag.codes()[:2] == ["rds.target.member_of_cluster", "rds.tag.on_member"]
    explain = diag.findings[0].title
    assert (
        "portal-rds-1 is a member of aurora-mysql cluster portal: AWS stops and starts Aurora as a cluster"
        in explain.en
        and "클러스터 단위" in explain.ko
    )
    [plan] = diag.plans
    [step] = plan.steps
    assert step.op == SCHEDULE_UPSERT and step.before is None
    assert {k: step.params[k] for k in ("target_kind", "target_id", "stop_cron", "start_cron", "tz")} == {
        "target_kind": "cluster",
        "target_id": "portal",
        "stop_cron": "0 20 * * 1-5",
        "start_cron": "0 8 * * 1-5",
        "tz": "Asia/Seoul",
    }
    preview = diag.findings[-1].table
    assert preview[1][0] == "stop" and "20:00" in preview[1][1]
    ops = _ops(sqlite_repo)
    after = apply_step(ops[step.op], rds_ctx, step)
    assert after == step.after
    assert DIAGNOSER.verify(rds_ctx, plan).ok
    [row] = sqlite_repo.list_schedules()
    assert (row.target_kind, row.target_id, row.created_by) == ("cluster", "portal", "U-dev")
    # A second request shows the current schedule as ``before`` and changes it.
    change = DIAGNOSER.diagnose(
        rds_ctx,
        Request(
            "rds_schedule",
            {"verb": "schedule", "db": "portal", "stop_cron": "0 22 * * *", "start_cron": "0 7 * * *"},
        ),
    )
    [cstep] = change.plans[0].steps
    assert cstep.before == step.after
    # Revert of the first plan removes the schedule again (it goes through approval like any plan).
    back = ops[step.op].revert(step, after)
    assert apply_step(ops[back.op], rds_ctx, back) is None
    assert sqlite_repo.list_schedules(enabled_only=True) == []


def test_default_time_zone_is_utc_and_the_requesters_own_is_shown_beside_it(rds_ctx):
    rds_ctx.clock = Clock(kst(2026, 11, 23, 12, 0))  # Monday 03:00 UTC
    rds_ctx.ports = FeaturePorts()
    diag = _ask(rds_ctx, db="portal")
    [step] = diag.plans[0].steps
    assert step.params["tz"] == "UTC"
    assert diag.findings[-1].table[0] == ("ACTION", "AT")  # nobody's zone known: the schedule's alone
    rds_ctx.requester_zone = "Asia/Seoul"
    table = _ask(rds_ctx, db="portal").findings[-1].table
    assert table[0] == ("ACTION", "AT", "YOUR TIME (Asia/Seoul)")
    assert table[1:3] == (
        ("start", "Mon 2026-11-23 08:00 UTC", "Mon 11-23 17:00 KST"),
        ("stop", "Mon 2026-11-23 20:00 UTC", "Tue 11-24 05:00 KST"),
    )
    rds_ctx.requester_zone = "UTC"  # the same zone as the schedule's: no second column
    assert _ask(rds_ctx, db="portal").findings[-1].table[0] == ("ACTION", "AT")
    rds_ctx.requester_zone = ""


def test_stop_now_plan_applies_verifies_and_reverts(rds_ctx, sqlite_repo):
    diag = _ask(rds_ctx, verb="stop", db="portal-rds-1")
    [plan] = diag.plans
    [step] = plan.steps
    assert (step.op, step.params) == ("rds.stop", {"kind": "cluster", "id": "portal"})
    ops = _ops(sqlite_repo)
    observed = apply_step(ops[step.op], rds_ctx, step)
    assert observed == {"state": "stopping"}  # AWS answers StopDBCluster with "stopping"
    rds_ctx.wait_seconds = 0.3  # the world does not move on its own: the budget runs out
    pending = DIAGNOSER.verify(rds_ctx, plan)
    assert not pending.ok and pending.pending and "portal is stopping" in pending.message.en
    tick()
    rds_ctx.wait_seconds = 5.0
    assert DIAGNOSER.verify(rds_ctx, plan).ok
    back = ops[step.op].revert(step, observed)
    apply_step(ops[back.op], rds_ctx, back)
    tick()
    assert _ask(rds_ctx, verb="start", db="portal").codes() == ["rds.api.already_running"]


def test_refusals_and_unknown_names_make_no_plan(rds_ctx):
    seed_read_replica(rds_ctx.aws)
    diag = _ask(rds_ctx, verb="schedule", db="ledger-ro")
    assert diag.plans == () and diag.codes() == ["rds.refuse.read_replica"]
    assert "Cannot stop or start a Read-Replica instance" in diag.findings[0].evidence[0].en
    missing = _ask(rds_ctx, verb="stop", db="no-such-db")
    assert missing.plans == () and missing.codes() == ["rds.target.not_found"]


def test_keep_running_override_and_list(rds_ctx, sqlite_repo):
    rds_ctx.clock = Clock(kst(2026, 11, 23, 19, 0))
    rds_ctx.ports = _ports(sqlite_repo)
    no_sched = _ask(rds_ctx, verb="keep-running", db="portal", **{"for": "2h"})
    assert no_sched.codes() == ["rds.override.no_schedule"] and no_sched.plans == ()
    sqlite_repo.upsert_schedule("cluster", "portal", "0 20 * * 1-5", "0 8 * * 1-5", "Asia/Seoul")
    diag = _ask(rds_ctx, verb="keep-running", db="portal-rds-1", until="23:00")
    [step] = diag.plans[0].steps
    assert step.op == OVERRIDE_ADD and step.after == {"until": kst(2026, 11, 23, 23, 0).isoformat()}
    ops = _ops(sqlite_repo)
    apply_step(ops[step.op], rds_ctx, step)
    assert DIAGNOSER.verify(rds_ctx, diag.plans[0]).ok
    listing = DIAGNOSER.diagnose(rds_ctx, Request("rds_schedule", {"verb": "list"}))
    rows = {r[0]: r for r in listing.findings[0].table[1:]}
    assert {"portal", "portal-rds-1", "billing-db"} <= set(rows)
    assert rows["portal"][6] == "stop Mon 11-23 23:00"  # the override moves the stop to 23:00
    assert rows["portal"][7].startswith("keep running until 11-23 23:00")
    assert "via cluster portal" in rows["portal-rds-1"][5]
    assert rows["billing-db"][5] == "-"
    filtered = DIAGNOSER.diagnose(rds_ctx, Request("rds_schedule", {"verb": "list", "filter": "team=billing"}))
    assert [r[0] for r in filtered.findings[0].table[1:]] == ["billing-db"]
