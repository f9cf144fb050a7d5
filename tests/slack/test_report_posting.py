"""A report too long for one message: the message shows what fits, the whole report is attached."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient

from bot import blockkit
from bot.slack.listeners.reports import SlackReportPoster
from sandbox import slack_checks
from sandbox.slack_api import SlackStandIn

REPORTS = "C0REPORTS"


@pytest.fixture
def slack():
    stand_in = SlackStandIn(strict_channels=True)
    stand_in.start()
    stand_in.add_channel(REPORTS, "ops-reports")
    yield stand_in
    stand_in.stop()


def test_a_long_report_posts_what_fits_and_attaches_the_whole_report(slack):
    poster = SlackReportPoster(WebClient("xoxb-test", base_url=slack.base_url))
    items = [blockkit.section(f"⏳ pod-{i} &lt;nil&gt; " + "p" * 1500) for i in range(20)]  # 30,000 characters
    ts = poster.post(
        REPORTS, "Cluster health", [{"type": "header", "text": {"type": "plain_text", "text": "H"}}, *items]
    )
    (message,) = [m for m in slack.messages(REPORTS) if m.ts == ts]
    assert slack_checks.block_text_length(list(message.blocks)) <= blockkit.BLOCK_TEXT_BUDGET
    assert "report.txt" in message.blocks[-1]["elements"][0]["text"]
    (upload,) = slack.uploads
    assert upload.thread_ts == ts and upload.filename == "report.txt"
    full = "\n".join(["H", *[f"⏳ pod-{i} <nil> " + "p" * 1500 for i in range(20)]])
    assert upload.length == len(full.encode())


def test_a_report_that_fits_is_posted_as_it_is(slack):
    poster = SlackReportPoster(WebClient("xoxb-test", base_url=slack.base_url))
    poster.post(REPORTS, "Cluster health", [blockkit.section("all clear")])
    assert slack.uploads == [] and slack.messages(REPORTS)[0].blocks[0]["text"]["text"] == "all clear"
