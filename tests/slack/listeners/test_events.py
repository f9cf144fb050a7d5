"""The Events API callbacks of ``bot.slack.listeners.events``, called directly with mocks."""

from __future__ import annotations

from unittest.mock import Mock

import pytest

from bot.services.requests import Ask
from bot.slack.listeners import events


def _message(text: str, channel: str = "C1", ts: str = "1.0", **extra) -> dict:
    return {"type": "message", "user": "U1", "channel": channel, "ts": ts, "text": text, **extra}


@pytest.fixture
def repo(deps):
    repo = deps.services.repo
    repo.first_time.return_value = True
    repo.request_by_thread.return_value = None
    return repo


def test_the_ack_acks(ack):
    events.ack_event(ack)
    ack.assert_called_once_with()


def test_a_message_in_a_request_channel_is_submitted_once(context, deps, repo, client):
    event = _message("cloudon 네임스페이스 파드 목록 보여줘")
    events.on_message(event=event, client=client, body={"event": event}, context=context)
    # the delivery's dedupe is the request service's, in the transaction that records the request
    deps.requests.submit.assert_called_once_with(
        Ask(
            user="U1",
            channel="C1",
            text="cloudon 네임스페이스 파드 목록 보여줘",
            lang="ko",
            intent="pods",
            entities={"namespace": "cloudon"},
            thread_ts="1.0",
            once_key="msg:C1:1.0",
        )
    )


def test_a_retried_job_asks_the_request_service_to_resume(context, deps, repo, client):
    event = _message("pods cloudon")
    events.on_message(event=event, client=client, body={"event": event}, context={**context, "job_attempt": 2})
    (ask,) = deps.requests.submit.call_args.args
    assert ask.resume and ask.once_key == "msg:C1:1.0"


def test_help_seen_before_is_not_answered_again(context, deps, repo, client):
    repo.first_time.return_value = False
    event = _message("help")
    events.on_message(event=event, client=client, body={"event": event}, context=context)
    repo.first_time.assert_called_once_with("msg:C1:1.0", deps.services.clock.return_value)
    client.chat_postMessage.assert_not_called()
    deps.requests.submit.assert_not_called()


def test_bots_and_edits_are_ignored(context, deps, repo, client):
    for event in (_message("pods cloudon", bot_id="B1"), _message("pods cloudon", subtype="message_changed")):
        events.on_message(event=event, client=client, body={"event": event}, context=context)
    repo.first_time.assert_not_called()
    deps.requests.submit.assert_not_called()


def test_talk_in_another_channel_is_not_for_the_bot(context, deps, repo, client):
    event = _message("pods cloudon", channel="C9")
    events.on_message(event=event, client=client, body={"event": event}, context=context)
    repo.first_time.assert_not_called()
    deps.requests.submit.assert_not_called()


def test_a_direct_message_is_ignored_while_direct_messages_are_off(context, deps, repo, client):
    event = _message("pods cloudon", channel="D1", channel_type="im")
    events.on_message(event=event, client=client, body={"event": event}, context=context)
    deps.requests.submit.assert_not_called()


def test_a_mention_anywhere_is_handled_without_the_mention(context, deps, repo, client):
    event = _message("<@UBOT> show pods in namespace cloudon", channel="C9", type="app_mention")
    events.on_mention(event=event, client=client, body={"event": event}, context=context)
    ask = deps.requests.submit.call_args.args[0]
    assert (ask.channel, ask.text, ask.intent) == ("C9", "show pods in namespace cloudon", "pods")


def test_an_unsure_reading_is_submitted_as_other_so_the_requester_is_asked(context, deps, repo, client):
    event = _message("pods cloudon")
    events.on_message(event=event, client=client, body={"event": event}, context=context)
    assert deps.requests.submit.call_args.args[0].intent == "other"


def test_talk_in_a_known_thread_that_asks_for_nothing_is_left_alone(context, deps, repo, client):
    repo.request_by_thread.return_value = object()
    event = _message("thanks, looking now", thread_ts="0.5")
    events.on_message(event=event, client=client, body={"event": event}, context=context)
    repo.request_by_thread.assert_called_once_with("C1", "0.5")
    deps.requests.submit.assert_not_called()


def test_help_is_answered_in_the_thread(context, deps, repo, client):
    event = _message("도움말", thread_ts="0.5", type="app_mention")
    events.on_mention(event=event, client=client, body={"event": event}, context=context)
    kwargs = client.chat_postMessage.call_args.kwargs
    assert (kwargs["channel"], kwargs["thread_ts"]) == ("C1", "0.5")
    assert kwargs["text"].startswith("*할 수 있는 일*")
    deps.requests.submit.assert_not_called()


def test_a_failure_is_told_to_the_person_who_wrote(context, deps, repo, client):
    deps.requests.submit.side_effect = RuntimeError("boom")
    event = _message("pods cloudon")
    events.on_message(event=event, client=client, body={"event": event}, context=context)
    kwargs = client.chat_postEphemeral.call_args.kwargs
    assert (kwargs["channel"], kwargs["user"]) == ("C1", "U1") and "RuntimeError" in kwargs["text"]


@pytest.mark.parametrize(
    "event",
    [{"type": "subteam_members_changed", "subteam_id": "S1"}, {"type": "subteam_updated", "subteam": {"id": "S1"}}],
)
def test_an_approver_group_change_drops_its_cached_members_and_acks(context, deps, ack, event):
    deps.services.approvers.invalidate.return_value = True
    events.group_changed(ack=ack, event=event, context=context)
    deps.services.approvers.invalidate.assert_called_once_with("S1")
    ack.assert_called_once_with()


def test_another_group_changing_is_acked_too(context, deps, ack):
    deps.services.approvers.invalidate.return_value = False
    events.group_changed(ack=ack, event={"type": "subteam_updated"}, context=context)
    deps.services.approvers.invalidate.assert_called_once_with("")
    ack.assert_called_once_with()


def test_register_wires_the_events(deps):
    app = Mock(name="app")
    events.register(app, deps)
    assert [c.args[0] for c in app.event.call_args_list] == [
        "message",
        "app_mention",
        "subteam_members_changed",
        "subteam_updated",
    ]
    wired = app.event.return_value.call_args_list
    assert wired[0].kwargs == {"ack": events.ack_event, "lazy": [events.on_message]}
    assert wired[1].kwargs == {"ack": events.ack_event, "lazy": [events.on_mention]}
    assert wired[2].args == wired[3].args == (events.group_changed,)
