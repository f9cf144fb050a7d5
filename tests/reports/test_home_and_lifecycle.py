"""App Home per user and in their language, and the request lifecycle without noise: Slack's
retried deliveries are ignored, a repeated request for an open target links to the open thread."""

from __future__ import annotations

import json

from sandbox.runtime import DEV, OPS, REQUEST_CHANNEL, STRANGER
from sandbox.worlds.pods import seed_pod_restart_world
from tests.reports.conftest import REPORTS, wait


def test_app_home_is_published_per_user_in_their_language_with_the_plan_buttons(sandbox):
    facts = seed_pod_restart_world(sandbox.kube)
    sandbox.slash(f"restart cloudon/{facts['stuck']}", user=DEV)
    plan = sandbox.repo.plans_for_request(sandbox.wait_request(lambda r: r.intent == "pod_restart").id)[0]
    sandbox.slash(f"report add approvals <#{REPORTS}|ops-reports> 0 9 * * 1-5", user=OPS)
    wait(lambda: sandbox.bot.deps.reports.list(), what="report stored")
    sandbox.driver.app_home_opened(DEV)
    sandbox.driver.app_home_opened(OPS)
    dev = json.dumps(wait(lambda: sandbox.slack.home(DEV), what="dev home"), ensure_ascii=False)
    ops_view = wait(lambda: sandbox.slack.home(OPS), what="ops home")
    ops = json.dumps(ops_view, ensure_ascii=False)
    assert "내 진행 중 요청" in dev and "승인 대기" in dev and f"#{plan.request_id}" in dev
    assert "approve_plan" not in dev  # the requester is not an approver
    assert "Waiting for your approval" in ops and f"Plan #{plan.id}" in ops
    assert "report #1 `approvals`" in ops and "Schedules and reports" in ops
    published = sandbox.slack.calls_to("views.publish")
    assert sorted(c["user_id"] for c in published) == [DEV, OPS]
    button = next(
        e
        for b in ops_view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("approve_plan")
    )
    assert button["action_id"] == f"approve_plan-{plan.id}" and button["value"] == str(plan.id)
    sandbox.click(button["action_id"], button["value"], user=STRANGER, channel="DOPS")
    wait(lambda: sandbox.slack.ephemerals(STRANGER), what="stranger refused")
    sandbox.click(button["action_id"], button["value"], user=OPS, channel="DOPS")
    assert sandbox.wait_plan_status(plan.id, ("applied", "failed")).status == "applied"


def test_retried_deliveries_and_repeated_requests_make_no_noise(sandbox):
    facts = seed_pod_restart_world(sandbox.kube)
    ts = sandbox.slack.next_ts()
    event = {
        "type": "message",
        "text": "show pods in cloudon",
        "user": DEV,
        "channel": REQUEST_CHANNEL,
        "ts": ts,
    }
    for retry in (None, 1, 2):  # Slack re-delivers with X-Slack-Retry-Num when an ack is slow
        assert sandbox.driver.event(event, event_id="EvRETRY1", retry_num=retry).status_code == 200
    listing = sandbox.wait_request(lambda r: r.intent == "pods")
    sandbox.slash(f"restart cloudon/{facts['stuck']}", user=DEV)
    first = sandbox.wait_request(lambda r: r.intent == "pod_restart")
    assert first.state == "open" and listing.id != first.id
    sandbox.slash(f"restart cloudon/{facts['stuck']}", user=STRANGER)
    wait(lambda: sandbox.slack.ephemerals(STRANGER), what="link to the open thread")
    note = sandbox.slack.ephemerals(STRANGER)[0].text
    assert f"#{first.id}" in note and "already open" in note
    thread = wait(
        lambda: [m for m in sandbox.slack.thread(REQUEST_CHANNEL, first.thread_ts) if STRANGER in m.text],
        what="mention in the open thread",
    )
    assert len(thread) == 1
    received = [r for r in sandbox.repo.audit_rows() if r.kind == "request_received"]
    assert len(received) == 2  # the listing once (not three times) and the restart once (not twice)
    tops = [m for m in sandbox.slack.messages(REQUEST_CHANNEL) if m.thread_ts in (None, m.ts)]
    assert len(tops) == 1  # the restart's thread; the listing answered in the asker's own thread, once:
    statuses = [m for m in sandbox.slack.messages(REQUEST_CHANNEL) if m.thread_ts == ts and "(request #" in m.text]
    assert len(statuses) == 1
