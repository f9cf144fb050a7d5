"""Slack refuses to post (the bot is not in the channel, the channel is archived or gone): the person
who asked is told how to fix it, in their language, and the audit log records what was not posted."""

from __future__ import annotations

import pytest

from sandbox.runtime import OPS, REQUEST_CHANNEL, Sandbox
from sandbox.worlds.pods import seed_pod_restart_world
from tests.polling import wait

OUTSIDE = "C0PLATFORM"


@pytest.fixture
def sandbox(moto_sandbox):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox, settings_overrides={"request_channels": f"{REQUEST_CHANNEL},{OUTSIDE}"}) as sb:
        seed_pod_restart_world(sb.kube)
        yield sb


def _told(sandbox, needle: str) -> list[dict]:
    return [r.body for r in sandbox.slack.responses if needle in r.body.get("text", "")]


def _audit(sandbox, kind: str) -> list:
    return [row for row in sandbox.repo.audit_rows() if row.kind == kind]


def test_a_request_in_a_channel_the_bot_is_not_in_tells_the_requester_how_to_invite_it(sandbox):
    sandbox.slack.add_channel(OUTSIDE, "platform", is_member=False)
    sandbox.slash("pods cloudon", channel=OUTSIDE)
    (told,) = wait(lambda: _told(sandbox, "/invite"), what="the invite hint")
    assert told["response_type"] == "ephemeral"
    assert f"/invite <@{sandbox.slack.bot_user_id}>" in told["text"] and f"<#{OUTSIDE}>" in told["text"]
    req = sandbox.wait_request(lambda r: r.channel == OUTSIDE)
    assert req.state == "failed"
    (refused,) = wait(lambda: _audit(sandbox, "post_refused"), what="the audit row")
    assert refused.request_id == req.id and "not_in_channel" in refused.summary
    assert _audit(sandbox, "request_received")  # what was asked is kept too
    assert sandbox.slack.messages(OUTSIDE) == []


def test_the_hint_is_in_korean_for_a_korean_request(sandbox):
    sandbox.slack.add_channel(OUTSIDE, "platform", is_member=False)
    sandbox.slash("cloudon 네임스페이스 파드 목록 보여줘", channel=OUTSIDE)
    (told,) = wait(lambda: _told(sandbox, "/invite"), what="the invite hint")
    assert "초대" in told["text"]


def test_an_archived_channel_is_named_as_archived(sandbox):
    sandbox.slack.add_channel(OUTSIDE, "platform", is_archived=True)
    sandbox.slash("pods cloudon", channel=OUTSIDE)
    (told,) = wait(lambda: _told(sandbox, "archived"), what="the archived answer")
    assert "/invite" not in told["text"]
    wait(lambda: [r for r in _audit(sandbox, "post_refused") if "is_archived" in r.summary], what="audit")


def test_a_scheduled_report_into_a_channel_the_bot_left_tells_its_owner_and_is_audited(sandbox):
    sandbox.slack.add_channel(OUTSIDE, "platform")
    sandbox.slash(f"report add audit <#{OUTSIDE}|platform> 0 9 * * * UTC", user=OPS)
    service = sandbox.bot.deps.reports
    report = wait(lambda: service.list(), what="the report stored")[0]
    sandbox.slack.remove_bot(OUTSIDE)
    sandbox.slash(f"report run {report.id}", user=OPS)
    dm = wait(lambda: sandbox.slack.messages(OPS), what="the owner's direct message")[0]
    assert f"/invite <@{sandbox.slack.bot_user_id}>" in dm.text and f"#{report.id}" in dm.text
    refused = wait(lambda: _audit(sandbox, "post_refused"), what="the audit row")
    assert "not_in_channel" in refused[0].summary and f"report #{report.id}" in refused[0].summary
    assert sandbox.slack.messages(OUTSIDE) == []
    wait(lambda: _told(sandbox, "/invite"), what="the person who ran it is told too")
