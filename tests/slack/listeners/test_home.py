"""The App Home callback of ``bot.slack.listeners.home``, called directly with mocks."""

from __future__ import annotations

from unittest.mock import Mock

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack.listeners import home


@pytest.fixture
def views(monkeypatch) -> Mock:
    """``home_view`` (what the tab shows) stands in: these tests are about the callback around it."""
    view = Mock(name="home_view", return_value={"type": "home", "blocks": []})
    monkeypatch.setattr(home, "home_view", view)
    return view


def _opened(tab: str = "home") -> dict:
    return {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": tab}


def test_the_ack_acks(ack):
    home.ack_event(ack)
    ack.assert_called_once_with()


def test_opening_home_publishes_the_view_in_the_persons_language(context, deps, client, views):
    client.users_info.return_value = Mock(data={"user": {"locale": "ko-KR"}})
    event = _opened()
    home.publish(event=event, client=client, body={"event": event}, context=context)
    client.users_info.assert_called_once_with(user="U1", include_locale=True)
    views.assert_called_once_with(deps, "U1", "ko")
    client.views_publish.assert_called_once_with(user_id="U1", view=views.return_value)


def test_the_messages_tab_publishes_nothing(context, client, views):
    event = _opened("messages")
    home.publish(event=event, client=client, body={"event": event}, context=context)
    views.assert_not_called()
    client.views_publish.assert_not_called()


def test_a_locale_slack_will_not_give_falls_back_to_english(context, deps, client, views):
    client.users_info.side_effect = SlackApiError("no", {"ok": False, "error": "missing_scope"})
    event = _opened()
    home.publish(event=event, client=client, body={"event": event}, context=context)
    views.assert_called_once_with(deps, "U1", "en")
    client.views_publish.assert_called_once()


def test_a_view_that_fails_to_build_is_told_to_the_person(context, client, views):
    client.users_info.return_value = Mock(data={"user": {"locale": "en-US"}})
    views.side_effect = RuntimeError("boom")
    event = _opened()
    home.publish(event=event, client=client, body={"event": event}, context=context)
    client.views_publish.assert_not_called()
    kwargs = client.chat_postEphemeral.call_args.kwargs
    assert (kwargs["channel"], kwargs["user"]) == ("D1", "U1") and "RuntimeError" in kwargs["text"]


def test_register_wires_app_home_opened(deps):
    app = Mock(name="app")
    home.register(app, deps)
    app.event.assert_called_once_with("app_home_opened")
    app.event.return_value.assert_called_once_with(ack=home.ack_event, lazy=[home.publish])
