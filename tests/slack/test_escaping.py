"""What cluster and AWS text becomes in Slack: shown as written, never as markup (a mention, a
notification, a link). Checked on what the Slack stand-in received, as Slack would render it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from slack_sdk import WebClient

from bot.bootstrap.scheduling import announcer
from sandbox import slack_mrkdwn
from sandbox.runtime import Sandbox
from sandbox.slack_api import SlackStandIn

AWS_SAYS = "InvalidDBInstanceState: instance <nil> is not in available state; see https://x.example/?a=1&b=<!channel>"


@pytest.fixture
def slack():
    stand_in = SlackStandIn()
    stand_in.start()
    stand_in.add_channel("C0OPS", "ops")
    yield stand_in
    stand_in.stop()


def test_rds_sweep_notices_show_aws_text_literally(slack):
    client = WebClient("xoxb-test", base_url=slack.base_url)
    for lang in ("en", "ko"):
        bot = SimpleNamespace(client=client, settings=SimpleNamespace(report_channel="C0OPS", default_language=lang))
        announcer(bot)(f"⚠️ could not stop rds db-1: {AWS_SAYS}", f"⚠️ db-1 중지 실패: {AWS_SAYS}", {})
    messages = slack.messages("C0OPS")
    for message in messages:
        assert slack_mrkdwn.markup_in(message.text) == []
        assert AWS_SAYS in slack_mrkdwn.rendered(message.text)
    # DEFAULT_LANGUAGE, not the time zone, says which language scheduled notices speak
    assert ["중지 실패" in m.text for m in messages] == [False, True]
    assert "could not stop" not in messages[1].text  # a Korean notice carries no English under it


def test_scheduled_notices_ignore_the_time_zone(slack):
    client = WebClient("xoxb-test", base_url=slack.base_url)
    settings = SimpleNamespace(report_channel="C0OPS", default_language="en", default_timezone="Asia/Seoul")
    announcer(SimpleNamespace(client=client, settings=settings))("stopped db-1", "db-1 중지", {})
    [message] = slack.messages("C0OPS")
    assert message.text == "stopped db-1"


def test_a_typed_cluster_name_in_a_refusal_is_not_markup(moto_sandbox):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sandbox:
        answer = sandbox.slash("pods cloudon --cluster <!channel>&x").json()
    assert "클러스터" in answer["text"]  # the asker (U_DEV) has a Korean locale
    assert slack_mrkdwn.markup_in(answer["text"]) == []
    assert "`<!channel>&x`" in slack_mrkdwn.rendered(answer["text"])


def test_rendered_reads_markup_like_slack():
    assert slack_mrkdwn.markup_in("hi <@U1> &lt;nil&gt;") == ["@U1"]
    assert slack_mrkdwn.rendered("<https://a.example|label> &lt;nil&gt; &amp;") == "label <nil> &"
