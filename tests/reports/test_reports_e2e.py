"""Reports through the HTTP harness: ``/ops report ...`` as signed slash commands, posts and chart
uploads recorded by the Slack Web API stand-in, the Kubernetes stand-in as the cluster, the
sandbox clock advanced between runs."""

from __future__ import annotations

import json
from datetime import timedelta

from sandbox.runtime import DEV, OPS, STRANGER
from sandbox.scenarios.reports import seed_health_world, seed_rds_history
from sandbox.worlds.pods import owned_pod
from tests.reports.conftest import REPORTS, responses_with, wait


def _add(sandbox, kind: str, user: str = OPS, cron: str = "0 9 * * *", tz: str = "Asia/Seoul"):
    return sandbox.slash(f"report add {kind} <#{REPORTS}|ops-reports> {cron} {tz}", user=user)


def _service(sandbox):
    return sandbox.bot.deps.reports


def _posts(sandbox):
    return [m for m in sandbox.slack.messages(REPORTS) if not m.files]


def _wait_settled(sandbox, report_id: int) -> None:
    """Until the run started from Slack has recorded itself and released the report."""
    repo = _service(sandbox).repo
    wait(
        lambda: repo.last_run(report_id) and repo.get_config(report_id).running_until is None,
        what="the run recorded and its lease released",
    )


def test_changing_reports_is_for_approvers_and_channels_arrive_escaped(sandbox):
    refused = _add(sandbox, "health", user=DEV).json()  # dev-kim's Slack locale is ko-KR
    assert refused["response_type"] == "ephemeral" and "승인자만" in refused["text"]  # told in the ack
    assert _service(sandbox).list() == []
    sandbox.slash(f"report add health <#{REPORTS}|ops-reports> '0 9 * * 1-5'", user=OPS)
    sandbox.slash(f"report add health <#{REPORTS}> 0 25 * * *", user=OPS)
    wait(lambda: responses_with(sandbox, "not a valid 5-field cron"), what="cron usage error")
    row = wait(lambda: _service(sandbox).list(), what="report stored")[0]
    assert (row.kind, row.channel, row.cron, row.tz) == ("health", REPORTS, "0 9 * * 1-5", "Asia/Seoul")
    sandbox.slash("report list", user=STRANGER)
    listing = wait(lambda: responses_with(sandbox, "Scheduled reports"), what="listing")[0]
    assert f"#{row.id} `health` → <#{REPORTS}>" in listing["text"]
    for verb in ("remove", "run"):  # refused in the ack, by the one authorization policy
        assert "Only approvers" in sandbox.slash(f"report {verb} {row.id}", user=STRANGER).json()["text"]
    sandbox.slash(f"report remove {row.id}", user=OPS)
    wait(lambda: responses_with(sandbox, "removed"), what="removal")
    assert _service(sandbox).list() == [] and _posts(sandbox) == []


def test_health_report_posts_news_once_then_one_line_then_nothing(sandbox):
    facts = seed_health_world(sandbox)
    _add(sandbox, "health")
    wait(lambda: _service(sandbox).list(), what="report stored")
    report_id = _service(sandbox).list()[0].id
    sandbox.clock.advance(timedelta(minutes=30))
    sandbox.slash(f"report run {report_id}", user=OPS)
    first = wait(lambda: _posts(sandbox), what="first post")[0]
    blocks = json.dumps(first.blocks, ensure_ascii=False)
    for needle in (
        "cloudwatch-agent",
        "image_pull.network.no_path",
        "SysctlForbidden",
        "cloudon-ingress",
        facts["stuck_pod"],
        "CrashLoopBackOff",
    ):
        assert needle in blocks, needle
    buttons = [b["accessory"] for b in first.blocks if "accessory" in b]
    assert len(buttons) == 4 and all(len(b["value"]) == 12 for b in buttons)
    upload = wait(lambda: sandbox.slack.uploads, what="chart upload")[0]
    assert upload.filename.startswith("health-") and upload.channel == REPORTS and upload.length > 1000
    _wait_settled(sandbox, report_id)

    service = _service(sandbox)
    second = service.run(report_id)  # nothing changed: one line
    assert second.posted and not second.content.changed and "\n" not in second.content.text
    assert "no change since" in second.content.text and "4 still open" in second.content.text
    third = service.run(report_id)  # same content again: not posted at all
    assert not third.posted and third.content.content_hash == second.content.content_hash
    assert len(_posts(sandbox)) == 2 and len(sandbox.slack.uploads) == 1

    ns, pod = facts["namespace"], facts["stuck_pod"]
    owner = sandbox.kube.get("Pod", ns, pod)["metadata"]["ownerReferences"][0]
    fixed = owned_pod(
        ns,
        pod,
        {"kind": owner["kind"], "name": owner["name"], "uid": owner["uid"]},
        "ip-10-0-1-23.ap-northeast-1.compute.internal",
        ready=True,
    )
    sandbox.kube.put(fixed)
    fourth = service.run(report_id)
    text = json.dumps(fourth.content.blocks, ensure_ascii=False)
    assert fourth.posted and "Resolved" in text and f"~pod {ns}/{pod} not ready" in text
    assert "Still open* (3)" in text
    fifth = service.run(report_id)  # resolved items are told once
    assert fifth.posted and "Resolved" not in fifth.content.text and "3 still open" in fifth.content.text
    runs = service.repo.runs(report_id)
    assert [bool(r.posted_ts) for r in runs] == [True, True, False, True, True]
    assert all(len(r.content_hash) == 64 for r in runs)


def test_diagnose_button_starts_a_thread_in_the_report_channel(sandbox):
    facts = seed_health_world(sandbox)
    _add(sandbox, "health")
    report_id = wait(lambda: _service(sandbox).list(), what="report stored")[0].id
    sandbox.clock.advance(timedelta(minutes=30))
    result = _service(sandbox).run(report_id)
    button = next(
        b["accessory"] for b in result.content.blocks if "accessory" in b and facts["stuck_pod"] in b["text"]["text"]
    )
    sandbox.click(button["action_id"], button["value"], user=DEV, channel=REPORTS, message_ts=result.ts)
    req = sandbox.wait_request(lambda r: r.intent == "pod_events")
    assert req.channel == REPORTS and req.entities == {
        "namespace": facts["namespace"],
        "pod": facts["stuck_pod"],
    }
    thread = sandbox.slack.thread(REPORTS, req.thread_ts)
    assert len(thread) >= 2 and "CrashLoopBackOff" in json.dumps([m.blocks for m in thread])
    sandbox.click("report_diagnose-000000000000", "000000000000", user=DEV, channel=REPORTS, message_ts=result.ts)
    wait(lambda: sandbox.slack.ephemerals(DEV), what="unknown item ephemeral")


def test_approvals_report_mentions_approvers_and_its_buttons_decide_the_plan(sandbox):
    facts = seed_health_world(sandbox)
    sandbox.slash(f"restart {facts['namespace']}/{facts['stuck_pod']}", user=DEV)
    plan = sandbox.repo.plans_for_request(sandbox.wait_request(lambda r: r.intent == "pod_restart").id)[0]
    _add(sandbox, "approvals")
    report_id = wait(lambda: _service(sandbox).list(), what="report stored")[0].id
    first = _service(sandbox).run(report_id)
    assert "<@U_OPS> <@U_OPS2>" in first.content.text and f"Plan #{plan.id}" in first.content.text
    actions = [e for b in first.content.blocks if b["type"] == "actions" for e in b["elements"]]
    assert {e["action_id"] for e in actions} == {f"approve_plan-{plan.id}", f"reject_plan-{plan.id}"}
    sandbox.clock.advance(timedelta(minutes=50))  # inside the last 15 minutes: told again
    soon = _service(sandbox).run(report_id)
    assert soon.posted and "Changed" in soon.content.text + json.dumps(soon.content.blocks)
    assert "expiring within 15 min" in soon.content.text
    sandbox.click(f"approve_plan-{plan.id}", plan.id, user=OPS, channel=REPORTS, message_ts=soon.ts)
    assert sandbox.wait_plan_status(plan.id, ("applied", "failed")).status == "applied"
    after = _service(sandbox).run(report_id)
    assert "Resolved" in json.dumps(after.content.blocks) and "Nothing is waiting" in after.content.text


def test_audit_report_counts_the_week_by_person_and_kind(sandbox):
    facts = seed_health_world(sandbox)
    sandbox.slash(f"restart {facts['namespace']}/{facts['stuck_pod']}", user=DEV)
    plan = sandbox.repo.plans_for_request(sandbox.wait_request(lambda r: r.intent == "pod_restart").id)[0]
    sandbox.click("approve_plan", plan.id, user=OPS, message_ts=plan.message_ts)
    sandbox.wait_plan_status(plan.id, ("applied",))
    _add(sandbox, "audit")
    report_id = wait(lambda: _service(sandbox).list(), what="report stored")[0].id
    result = _service(sandbox).run(report_id)
    body = json.dumps(result.content.blocks)
    assert "1 applied, 0 failed, 0 reverted" in result.content.text
    assert "person @U_OPS  1" in body and "kind pods" in body and f"#{plan.id} pods" in body
    again = _service(sandbox).run(report_id)
    assert not again.content.changed and "no change since" in again.content.text


def test_rds_report_posts_the_weekly_text_and_hours_chart(sandbox):
    seed_rds_history(sandbox)
    _add(sandbox, "rds")
    report_id = wait(lambda: _service(sandbox).list(), what="report stored")[0].id
    result = _service(sandbox).run(report_id)
    assert "RDS schedule weekly report" in result.content.text and "portal" in result.content.text
    upload = wait(lambda: sandbox.slack.uploads, what="hours chart")[0]
    assert upload.filename.startswith("rds-hours-") and upload.thread_ts == result.ts


def test_run_due_runs_a_missed_report_once_and_the_scheduler_job_drives_it(sandbox, tmp_path):
    from bot.scheduler.engine import SchedulerEngine
    from bot.scheduler.leader import FileLock
    from bot.services.reports import register_report_jobs

    _add(sandbox, "audit", cron="0 9 * * *", tz="UTC")
    _add(sandbox, "approvals", cron="0 9 1 1 *", tz="UTC")  # once a year: not due
    wait(lambda: len(_service(sandbox).list()) == 2, what="reports stored")
    service = _service(sandbox)
    engine = SchedulerEngine(FileLock(str(tmp_path / "lock")), now=sandbox.clock)
    register_report_jobs(engine, service)
    assert "reports" in engine.job_names
    start = sandbox.clock()
    sandbox.clock.advance(timedelta(days=3))  # the bot was down over three 09:00 slots
    assert [r.content.kind for r in engine.run_now("reports")] == ["audit"]
    assert engine.run_now("reports") == []
    sandbox.clock.advance(timedelta(days=1))
    assert len(service.run_due()) == 1
    runs = service.repo.runs(next(r.id for r in service.list() if r.kind == "audit"))
    assert len(runs) == 2 and runs[0].at - start >= timedelta(days=3)


def test_a_run_while_another_run_of_the_report_is_in_progress_is_told_and_posts_nothing(sandbox):
    seed_health_world(sandbox)
    _add(sandbox, "health", cron="* * * * *")
    report_id = wait(lambda: _service(sandbox).list(), what="report stored")[0].id
    service = _service(sandbox)
    assert service.repo.claim(report_id, sandbox.clock(), timedelta(minutes=10))  # the scheduler's run, say
    sandbox.slash(f"report run {report_id}", user=OPS)
    wait(lambda: responses_with(sandbox, "running right now"), what="the busy answer")
    later = sandbox.clock() + timedelta(minutes=5)  # due again, and the lease still held
    assert service.due(service.repo.get_config(report_id), later)
    assert service.run_due(later) == []  # a scheduler elsewhere skips it too
    assert _posts(sandbox) == []
    service.repo.release(report_id)
    sandbox.slash(f"report run {report_id}", user=OPS)
    wait(lambda: _posts(sandbox), what="the post once the report is free")
    _wait_settled(sandbox, report_id)
    assert len(_posts(sandbox)) == 1


def test_the_same_report_added_twice_is_one_report(sandbox):
    """A retried job runs its command again, and people send a command twice: both get the one report."""
    _add(sandbox, "health")
    (row,) = wait(lambda: _service(sandbox).list(), what="report stored")
    _add(sandbox, "health")
    told = wait(lambda: responses_with(sandbox, f"Report #{row.id} `health`")[1:], what="the second answer")
    assert told and [r.id for r in _service(sandbox).list()] == [row.id]
    _add(sandbox, "health", cron="0 10 * * *")  # another time is another report
    wait(lambda: len(_service(sandbox).list()) == 2, what="a second, different report")
