"""Who may ask, tried as an attacker would: signed requests over HTTP against the sandbox.

Each test performs one attack and asserts that it fails: what the attacker sees (ephemeral, in
their language), the ``refused`` audit row (actor, action, reason), and that nothing happened (no
request row, no diagnosis, no Kubernetes call, nothing posted in a channel). On SQLite and
PostgreSQL.
"""

from __future__ import annotations

import json

import pytest

from sandbox.runtime import DEV, OPS, REQUEST_CHANNEL, STRANGER
from sandbox.worlds.pods import seed_pod_restart_world
from tests.polling import wait
from tests.security.helpers import (
    DM,
    EXTERNAL,
    GUEST,
    OTHER_CHANNEL,
    OTHER_TEAM,
    SHARED_CHANNEL,
    SHARED_REQUEST_CHANNEL,
    SINGLE_GUEST,
    assert_nothing_happened,
    assert_refused_slash,
    refusals,
    request_count,
    sandbox_on,
    wait_ephemeral,
    wait_refusal,
)

WORKSPACE = "only take requests from people in the workspace"


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request):
    return request.param


@pytest.fixture
def sandbox(database, moto_sandbox):
    with sandbox_on(database, moto_sandbox) as sb:
        seed_pod_restart_world(sb.kube)
        sb.kube.requests.clear()
        yield sb


def test_another_workspaces_user_in_a_shared_channel_gets_nothing(sandbox):
    outsider = sandbox.driver.as_team(OTHER_TEAM)
    for channel in (SHARED_CHANNEL, REQUEST_CHANNEL):
        pods = outsider.slash("pods -A", user=EXTERNAL, channel=channel)
        assert_refused_slash(pods, WORKSPACE)
        audit = outsider.slash("audit 200", user=EXTERNAL, channel=channel)
        text = assert_refused_slash(audit, WORKSPACE)
        assert "request_received" not in text and "|" not in text  # not a single audit row leaked
    rows = refusals(sandbox, EXTERNAL)
    assert [(r.after["action"], r.after["reason"]) for r in rows] == [
        ("ask", "other_workspace"),
        ("audit", "other_workspace"),
    ] * 2
    assert rows[0].after["teams"] == [OTHER_TEAM] and rows[0].after["channel"] == SHARED_CHANNEL
    assert_nothing_happened(sandbox)


def test_another_workspaces_user_is_refused_even_when_the_payload_claims_our_team(sandbox):
    # A Slack Connect payload names our team for the channel; users.info still says whose person it is.
    pods = sandbox.driver.slash("pods -A", user=EXTERNAL, channel=REQUEST_CHANNEL)
    assert_refused_slash(pods, WORKSPACE)
    wait_refusal(sandbox, EXTERNAL, "ask", "other_workspace")
    assert_nothing_happened(sandbox)


def test_another_workspaces_mention_in_a_shared_channel_is_refused_ephemerally(sandbox):
    outsider = sandbox.driver.as_team(OTHER_TEAM)
    outsider.mention("show pods in cloudon", user=EXTERNAL, channel=SHARED_REQUEST_CHANNEL)
    told = wait_ephemeral(sandbox, EXTERNAL, WORKSPACE)
    assert told.channel == SHARED_REQUEST_CHANNEL
    wait_refusal(sandbox, EXTERNAL, "ask", "other_workspace")
    assert_nothing_happened(sandbox)


def test_a_member_in_an_externally_shared_request_channel_is_refused(database, moto_sandbox):
    # the channel is a request channel too, but shared with another organisation
    with sandbox_on(database, moto_sandbox, request_channels=f"{REQUEST_CHANNEL},{SHARED_REQUEST_CHANNEL}") as sb:
        answer = sb.slash("pods -A", user=OPS, channel=SHARED_REQUEST_CHANNEL)
        assert_refused_slash(answer, "shared with another organisation")
        wait_refusal(sb, OPS, "ask", "shared_channel")
        assert_nothing_happened(sb)


def test_shared_channels_can_be_allowed_by_setting(database, moto_sandbox):
    with sandbox_on(
        database,
        moto_sandbox,
        allow_shared_channels=True,
        request_channels=f"{REQUEST_CHANNEL},{SHARED_REQUEST_CHANNEL}",
    ) as sb:
        seed_pod_restart_world(sb.kube)
        sb.slash("pods cloudon", user=DEV, channel=SHARED_REQUEST_CHANNEL)
        assert sb.wait_request(lambda r: r.intent == "pods").channel == SHARED_REQUEST_CHANNEL
        # the people of the other organisation still may not ask
        outsider = sb.driver.as_team(OTHER_TEAM)
        assert_refused_slash(outsider.slash("pods -A", user=EXTERNAL, channel=SHARED_REQUEST_CHANNEL), WORKSPACE)


@pytest.mark.parametrize(
    "guest,needle",
    [(GUEST, "Guest accounts cannot use this bot"), (SINGLE_GUEST, "게스트 계정은 이 봇을 사용할 수 없습니다")],
)
def test_a_guest_is_refused_in_their_language(sandbox, guest, needle):
    answer = sandbox.slash("pods -A" if guest == GUEST else "cloudon 파드 목록 보여줘", user=guest)
    assert_refused_slash(answer, needle)
    sandbox.driver.mention("show pods in cloudon", user=guest, channel=REQUEST_CHANNEL)
    sandbox.say("restart cloudon/api-7d9f8-zz81m", user=guest)
    wait(lambda: len(refusals(sandbox, guest)) == 3, what="three refusals")
    assert {r.after["reason"] for r in refusals(sandbox, guest)} == {"guest"}
    wait_ephemeral(sandbox, guest, "🚫")
    assert_nothing_happened(sandbox)


def test_a_guest_cannot_approve(sandbox):
    sandbox.click("approve_plan", 1, user=GUEST)
    wait_ephemeral(sandbox, GUEST, "Guest accounts")
    wait_refusal(sandbox, GUEST, "approve", "guest")


def test_a_slash_command_outside_the_request_channels_is_refused(sandbox):
    english = sandbox.slash("show pods in cloudon", user=DEV, channel=OTHER_CHANNEL)  # free text: its language
    assert_refused_slash(english, f"I only take requests in <#{REQUEST_CHANNEL}>")
    korean = sandbox.slash("cloudon 파드 목록 보여줘", user=DEV, channel=OTHER_CHANNEL)
    assert_refused_slash(korean, f"요청은 <#{REQUEST_CHANNEL}> 에서만 받습니다")
    rows = refusals(sandbox, DEV)
    assert [(r.after["action"], r.after["reason"], r.after["channel"]) for r in rows] == [
        ("ask", "channel", OTHER_CHANNEL)
    ] * 2
    assert_nothing_happened(sandbox)


def test_a_mention_outside_the_request_channels_is_refused_once(sandbox):
    ts = sandbox.slack.next_ts()
    sandbox.driver.mention("show pods in cloudon", user=DEV, channel=OTHER_CHANNEL, ts=ts)
    sandbox.driver.mention("show pods in cloudon", user=DEV, channel=OTHER_CHANNEL, ts=ts)  # a retry
    wait_ephemeral(sandbox, DEV, f"<#{REQUEST_CHANNEL}>")
    wait_refusal(sandbox, DEV, "ask", "channel")
    assert len(refusals(sandbox, DEV)) == 1 and len(sandbox.slack.ephemerals(DEV)) == 1
    assert_nothing_happened(sandbox)


def test_plain_messages_elsewhere_are_not_requests_and_not_refusals(sandbox):
    answer = sandbox.driver.message("restart cloudon/api-7d9f8-zz81m", user=DEV, channel=OTHER_CHANNEL)
    assert answer.status_code == 200  # acked by the middleware itself: no listener, no lazy half to wait for
    assert refusals(sandbox) == [] and sandbox.slack.ephemerals() == []
    assert_nothing_happened(sandbox)


def test_a_direct_message_is_refused_while_dms_are_off(sandbox):
    sandbox.driver.message("show pods in cloudon", user=DEV, channel=DM)
    told = wait_ephemeral(sandbox, DEV, "direct messages")
    assert told.channel == DM and f"<#{REQUEST_CHANNEL}>" in told.text
    wait_refusal(sandbox, DEV, "ask", "direct_message")
    # a keyword command is no language: dev-kim's Slack locale (Korean) speaks
    assert_refused_slash(sandbox.slash("pods -A", user=DEV, channel=DM), "DM 으로는 요청을 받지 않습니다")
    assert_nothing_happened(sandbox)


def test_direct_messages_are_requests_when_enabled(database, moto_sandbox):
    with sandbox_on(database, moto_sandbox, allow_direct_messages=True) as sb:
        seed_pod_restart_world(sb.kube)
        sb.driver.message("show pods in cloudon", user=DEV, channel=DM)
        assert sb.wait_request(lambda r: r.intent == "pods").channel == DM
        assert refusals(sb) == []


def test_audit_is_for_approvers_only(sandbox):
    sandbox.slash("pods cloudon", user=DEV)
    sandbox.wait_request(lambda r: r.intent == "pods")
    before = request_count(sandbox)
    text = assert_refused_slash(sandbox.slash("audit 200", user=STRANGER), "Only approvers can do that")
    assert "request_received" not in text
    assert_refused_slash(sandbox.slash("audit 200", user=DEV), "승인자만 할 수 있습니다")  # dev-kim's locale
    row = wait_refusal(sandbox, STRANGER, "audit", "approvers_only")
    assert row.summary.startswith("audit refused")
    assert request_count(sandbox) == before
    sandbox.slash("audit 5", user=OPS)
    sandbox.slack.wait_for(lambda r: "request_received" in json.dumps(r.body), source="responses")


def test_app_home_recent_changes_are_for_approvers_only(sandbox):
    sandbox.driver.app_home_opened(DEV)
    sandbox.driver.app_home_opened(OPS)
    dev = wait(lambda: sandbox.slack.home(DEV), what="the developer's home")
    ops = wait(lambda: sandbox.slack.home(OPS), what="the approver's home")
    dev_text, ops_text = json.dumps(dev, ensure_ascii=False), json.dumps(ops, ensure_ascii=False)
    assert "최근 변경은 승인자에게만 보입니다" in dev_text  # dev-kim's Slack locale is Korean
    assert "No changes this week." in ops_text and "shown to approvers" not in ops_text
    row = wait_refusal(sandbox, DEV, "home_recent_changes", "approvers_only")
    assert row.actor == DEV
    sandbox.driver.app_home_opened(DEV)  # again the same day: one audit row per person per day
    wait(lambda: len(sandbox.slack.calls_to("views.publish")) >= 3, what="the third home")
    assert len(refusals(sandbox, DEV)) == 1


def test_app_home_for_another_workspaces_user_is_refused(sandbox):
    sandbox.driver.as_team(OTHER_TEAM).app_home_opened(EXTERNAL)
    wait_ephemeral(sandbox, EXTERNAL, WORKSPACE)
    wait_refusal(sandbox, EXTERNAL, "home", "other_workspace")
    assert sandbox.slack.home(EXTERNAL) is None


def test_the_rds_schedule_modal_is_refused_for_a_guest(sandbox):
    meta = json.dumps({"db": "orders", "channel": REQUEST_CHANNEL, "lang": "en"})
    sandbox.driver.view_submission(
        "rds_schedule_modal",
        {
            "days": {"value": {"type": "checkboxes", "selected_options": [{"value": "1"}]}},
            "stop": {"value": {"type": "timepicker", "selected_time": "20:00"}},
            "start": {"value": {"type": "timepicker", "selected_time": "08:00"}},
            "tz": {"value": "Asia/Seoul"},
        },
        user=GUEST,
        private_metadata=meta,
    )
    wait_ephemeral(sandbox, GUEST, "Guest accounts")
    wait_refusal(sandbox, GUEST, "form", "guest")
    assert_nothing_happened(sandbox)


def test_help_says_who_may_use_each_command(sandbox):
    english = sandbox.slash("help", user=STRANGER).json()["text"]
    assert "`/ops audit [N]` — Show the latest N audit rows (default 20). _(who: approvers)_" in english
    assert "_(who: everyone in request channels)_" in english and "Approve — approvers other than" in english
    korean = sandbox.slash("도움말", user=DEV).json()["text"]
    assert "_(사용 가능: 승인자)_" in korean and "요청 채널의 모든 멤버" in korean
