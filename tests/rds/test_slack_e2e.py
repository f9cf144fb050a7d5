"""RDS through the HTTP app: the schedule modal, the text form, and adoption of tagged databases."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.bootstrap.scheduling import job_named
from sandbox.runtime import DEV, OPS, REQUEST_CHANNEL, Sandbox
from sandbox.worlds.rds import seed_rds_world

KST = ZoneInfo("Asia/Seoul")


@pytest.fixture
def sandbox(moto_sandbox):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox, settings_overrides={"report_channel": "C_OPS"}) as sb:
        seed_rds_world(sb.aws)
        yield sb


def test_schedule_modal_opens_validates_and_files_a_plan(sandbox):
    sandbox.driver.slash("rds schedule billing-db", user=DEV, channel=REQUEST_CHANNEL, trigger_id="T123")
    opened = sandbox.slack.wait_for(lambda c: c.method == "views.open", source="calls")
    view = opened.args["view"]
    view = view if isinstance(view, dict) else __import__("json").loads(view)
    assert view["callback_id"] == "rds_schedule_modal" and opened.args["trigger_id"] == "T123"
    meta = view["private_metadata"]
    bad = sandbox.driver.view_submission(
        "rds_schedule_modal",
        {
            "days": {"value": {"type": "checkboxes", "selected_options": []}},
            "stop": {"value": {"type": "timepicker", "selected_time": "21:30"}},
            "start": {"value": {"type": "timepicker", "selected_time": "21:30"}},
            "tz": {"value": "Mars/Olympus"},
        },
        user=DEV,
        private_metadata=meta,
    )
    errors = bad.json()["errors"]
    assert set(errors) == {"days", "start", "tz"}
    ok = sandbox.driver.view_submission(
        "rds_schedule_modal",
        {
            "days": {"value": {"type": "checkboxes", "selected_options": [{"value": "1"}, {"value": "3"}]}},
            "stop": {"value": {"type": "timepicker", "selected_time": "21:30"}},
            "start": {"value": {"type": "timepicker", "selected_time": "07:00"}},
            "tz": {"value": "Asia/Seoul"},
        },
        user=DEV,
        private_metadata=meta,
    )
    assert ok.status_code == 200 and not ok.content
    req = sandbox.wait_request(lambda r: r.intent == "rds_schedule")
    plan = sandbox.repo.plans_for_request(req.id)[0]
    step = plan.steps[0]
    assert step["op"] == "rds.schedule.upsert"
    assert step["after"]["stop_cron"] == "30 21 * * 1,3" and step["after"]["start_cron"] == "0 7 * * 1,3"
    sandbox.click("approve_plan", plan.id, user=OPS, message_ts=plan.message_ts)
    assert sandbox.wait_plan_status(plan.id, ("applied", "failed")).status == "applied"
    rows = sandbox.bot.stores["rds"].repo.list_schedules("")
    assert [(r.target_id, r.stop_cron, r.approved_by) for r in rows] == [("billing-db", "30 21 * * 1,3", OPS)]


def test_tagged_member_is_adopted_as_its_cluster_once_with_approval(sandbox):
    sandbox.clock.set(datetime(2026, 11, 25, 12, 0, tzinfo=KST))
    job = job_named(sandbox.bot, "rds-sweep")
    first = job.run()
    assert [p["target_id"] for p in first.proposals] == ["portal"]
    req = sandbox.wait_request(lambda r: r.intent == "rds_schedule" and r.user_id == "scheduler")
    assert req.channel == "C_OPS" and req.thread_ts
    plan = sandbox.repo.plans_for_request(req.id)[0]
    assert plan.steps[0]["params"]["target_kind"] == "cluster"
    assert job.run().proposals == []  # proposed once, not on every sweep
    sandbox.click("approve_plan", plan.id, user=OPS, message_ts=plan.message_ts)
    assert sandbox.wait_plan_status(plan.id, ("applied", "failed")).status == "applied"
