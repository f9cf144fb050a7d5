"""``SlackThread.find_opened``: the status message an earlier attempt posted, found by its metadata.

A job retried after its worker died between posting a request's status message and recording its
ts must answer in that thread, not open a second one: the message carries the request's id as
message metadata, read back with ``include_all_metadata`` from the channel (``conversations.history``)
or, for a request made inside a thread, from that thread (``conversations.replies``).
"""

from __future__ import annotations

import pytest
from slack_sdk import WebClient

from bot.services.approvers import Approvers
from bot.slack.thread import HISTORY_PAGES, SlackThread
from bot.store.records import RequestRecord
from tests.slack.records import CHANNEL, request_record


@pytest.fixture
def thread(slack) -> SlackThread:
    return SlackThread(WebClient("xoxb-test", base_url=slack.base_url), Approvers(["U0OPS"]))


def _req(request_id: int) -> RequestRecord:
    return request_record(id=request_id, intent="pod_restart")


def test_a_new_thread_is_found_by_its_request_and_no_other(slack, thread):
    opened = thread.open(_req(41))
    thread.open(_req(42))
    slack.add_message(CHANNEL, "unrelated chatter", "U0DEV")
    assert thread.find_opened(_req(41)) == opened
    assert thread.find_opened(_req(43)) is None


def test_a_status_message_inside_a_person_s_thread_is_found_there(slack, thread):
    asked = slack.add_message(CHANNEL, "pods keep restarting in cloudon", "U0DEV")
    opened = thread.open(_req(7), asked.ts)
    assert opened[0] == asked.ts
    assert thread.find_opened(_req(7), asked.ts) == opened
    assert thread.find_opened(_req(7)) is None  # not a top-level message of the channel


def test_it_looks_back_a_bounded_number_of_pages(slack, thread):
    thread.open(_req(5))
    for n in range(HISTORY_PAGES * 200):
        slack.add_message(CHANNEL, f"message {n}", "U0DEV")
    assert thread.find_opened(_req(5)) is None
    assert len(slack.calls_to("conversations.history")) == HISTORY_PAGES


def test_slack_refusing_to_say_means_not_found(slack, thread):
    opened = thread.open(_req(9))
    slack.fail_next("conversations.history", error="missing_scope")
    assert thread.find_opened(_req(9)) is None
    assert thread.find_opened(_req(9)) == opened  # asked again, Slack answers
