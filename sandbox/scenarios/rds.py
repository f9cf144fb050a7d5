"""Scenario rds: "portal-rds-1 밤에 자동으로 꺼주세요" — Aurora is scheduled as a cluster.

The developer asks to stop an Aurora member at night; the bot explains that AWS stops Aurora as a
cluster and proposes the cluster's schedule; ops approve; the sandbox clock reaches Friday 20:00
KST and the sweep stops the cluster; the cluster starts itself (AWS's 7-day limit) and the next
sweep re-stops it and says so in the ops channel; the weekly schedule report is posted. AWS
answers a stop with "stopping"; the cluster is "stopped" once the sandbox clock has moved on, and
the world's own table (``sandbox.worlds.rds_rules``) says which end state to expect.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sandbox.runtime import OPS, Sandbox
from sandbox.scenarios.common import approve_and_wait, latest_plan
from sandbox.worlds.rds import expected_after, seed_rds_world, simulate_self_restart

OPS_CHANNEL = "C_OPS"
KST = ZoneInfo("Asia/Seoul")


def _outcome(*, ok: bool, detail: str):
    from sandbox.demo import Outcome

    return Outcome(ok, detail)


def _status(sandbox: Sandbox) -> str:
    return sandbox.aws.client("rds").describe_db_clusters(DBClusterIdentifier="portal")["DBClusters"][0]["Status"]


def schedule_and_enforce(sandbox: Sandbox):
    seed_rds_world(sandbox.aws, clock=sandbox.clock)
    expected = expected_after(sandbox.aws, "cluster", "portal", "stop")  # the world's table: "stopped"
    sandbox.clock.set(datetime(2026, 11, 27, 18, 30, tzinfo=KST))  # a Friday evening in Seoul
    sandbox.say("portal-rds-1 밤에 자동으로 꺼주세요")
    req = sandbox.wait_request(lambda r: r.intent == "rds_schedule")
    plan = approve_and_wait(sandbox, latest_plan(sandbox, req.id).id)
    rows = sandbox.bot.stores["rds"].repo.list_schedules("")
    scheduled = [(r.target_kind, r.target_id) for r in rows]
    job = sandbox.bot.job("rds-sweep", channel=OPS_CHANNEL)
    sandbox.clock.set(datetime(2026, 11, 27, 20, 1, tzinfo=KST))
    job.run()
    at_20 = _status(sandbox)  # AWS answers "stopping"
    sandbox.clock.advance(timedelta(minutes=10))
    stopped_at_20 = _status(sandbox)
    simulate_self_restart(sandbox.aws, "portal")
    sandbox.clock.advance(timedelta(days=2))  # Sunday: still inside the weekend stop period
    restop = job.run()
    sandbox.clock.advance(timedelta(minutes=10))
    announced = [m.text for m in sandbox.slack.messages(OPS_CHANNEL) if "portal" in (m.text or "")]
    report = _weekly_report(sandbox)
    ok = (
        plan.status == "applied"
        and scheduled == [("cluster", "portal")]
        and at_20 == "stopping"
        and stopped_at_20 == expected == "stopped"
        and [d["cause"] for d in restop.done] == ["self_restart"]
        and _status(sandbox) == "stopped"
        and any("7" in t for t in announced)
        and report
    )
    return _outcome(
        ok=ok,
        detail=f"schedule for {scheduled} {plan.status}; at 20:00 KST cluster {at_20}, then {stopped_at_20} "
        f"(world expects {expected}); after the "
        f"self-restart: {[d['cause'] for d in restop.done]} -> {_status(sandbox)}; "
        f"{len(announced)} announcement(s); weekly report posted={report}",
    )


def _weekly_report(sandbox: Sandbox) -> bool:
    """Ops configure the weekly RDS report for their channel and run it: text and chart are posted."""
    reports = sandbox.bot.deps.reports
    config = reports.add("rds", OPS_CHANNEL, "0 9 * * 1", "Asia/Seoul", OPS, "ko")
    result = reports.run(config.id, OPS)
    charts = [u for u in sandbox.slack.uploads if u.channel == OPS_CHANNEL]
    return bool(result.posted and "portal" in result.content.text and charts)


PARTS = (schedule_and_enforce,)
