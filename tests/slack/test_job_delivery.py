"""Each Slack delivery becomes one job, however often Slack sends it.

Slack retries an Events API delivery (up to three times, with ``X-Slack-Retry-Num``) when it got no
2xx within 3 seconds, and a retried delivery carries the same ``event_id``
(https://api.slack.com/apis/events-api#retries); the bot's ack queues a job keyed by that id, so
the retry queues nothing. Buttons are keyed by who clicked what and when (``action_ts``).
"""

from __future__ import annotations

import json

import pytest
from slack_bolt import App, BoltRequest
from slack_bolt.authorization import AuthorizeResult
from sqlalchemy import func, select

from bot.slack.jobs import JobLazyRunner, delivery_id
from bot.store.db import make_engine
from bot.store.jobs import JobStore
from bot.store.migrate import upgrade
from bot.store.models import JobRow


def _app(store: JobStore) -> App:
    app = App(
        signing_secret="unused",
        authorize=lambda **_: AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-1", bot_user_id="UB"),
        process_before_response=True,
        request_verification_enabled=False,
    )

    def on_message(event):  # the lazy half: never run here, only queued
        raise AssertionError("a queued job ran in the ack")

    def on_click(body):
        raise AssertionError("a queued job ran in the ack")

    app.event("message")(ack=lambda ack: ack(), lazy=[on_message])
    app.action("approve_plan")(ack=lambda ack: ack(), lazy=[on_click])
    app.listener_runner.lazy_listener_runner = JobLazyRunner(store, max_attempts=3)
    return app


def _event(event_id: str, ts: str) -> dict:
    return {
        "type": "event_callback",
        "team_id": "T1",
        "api_app_id": "A1",
        "event_id": event_id,
        "event": {"type": "message", "channel": "C1", "user": "U1", "text": "pods", "ts": ts},
    }


def _click(action_ts: str) -> dict:
    return {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "api_app_id": "A1",
        "actions": [{"type": "button", "action_id": "approve_plan", "value": "7", "action_ts": action_ts}],
    }


@pytest.fixture
def engine(tmp_path):
    """A migrated SQLite database's engine."""
    url = f"sqlite:///{tmp_path / 'jobs.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _jobs(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(JobRow.dedupe_key).order_by(JobRow.id)).scalars())


def test_a_retried_event_delivery_is_one_job_and_another_event_is_another(engine):
    app = _app(JobStore(engine))
    first = app.dispatch(BoltRequest(body=_event("Ev1", "1.0"), mode="socket_mode"))
    retried = app.dispatch(
        BoltRequest(
            body=_event("Ev1", "1.0"),
            headers={"x-slack-retry-num": ["1"], "x-slack-retry-reason": ["http_timeout"]},
            mode="socket_mode",
        )
    )
    other = app.dispatch(BoltRequest(body=_event("Ev2", "2.0"), mode="socket_mode"))
    assert (first.status, retried.status, other.status) == (200, 200, 200)
    assert _jobs(engine) == ["on_message:event:Ev1", "on_message:event:Ev2"]


def test_the_same_click_twice_is_one_job_and_a_second_click_is_another(engine):
    app = _app(JobStore(engine))
    for action_ts in ("10.1", "10.1", "11.2"):
        assert app.dispatch(BoltRequest(body=_click(action_ts), mode="socket_mode")).status == 200
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(JobRow)).scalar() == 2
    assert _jobs(engine) == [f"on_click:{delivery_id(_click('10.1'))}", f"on_click:{delivery_id(_click('11.2'))}"]


def test_a_slash_command_is_keyed_by_its_trigger_id():
    assert delivery_id({"command": "/ops", "trigger_id": "13345224609.738474920.8088930838d88f008e0"}) == (
        "trigger:13345224609.738474920.8088930838d88f008e0"
    )


class Unreachable(JobStore):
    """A jobs table that cannot be written (the database is away)."""

    def enqueue(self, *args, **kwargs):
        raise ConnectionError("database unreachable")


def test_an_ack_whose_job_cannot_be_queued_is_an_error_to_slack_not_a_promise(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'jobs.db'}")
    try:
        response = _app(Unreachable(engine)).dispatch(BoltRequest(body=_event("Ev3", "3.0"), mode="socket_mode"))
        # Slack gets a 500: it retries the event later, and a slash command tells its user it failed
        assert response.status == 500
    finally:
        engine.dispose()


def test_a_job_keeps_the_request_but_not_its_signature(engine):
    app = _app(JobStore(engine))
    raw = json.dumps(_event("Ev9", "9.0"))
    headers = {
        "content-type": ["application/json"],
        "x-slack-request-timestamp": ["1700000000"],
        "x-slack-signature": ["v0=" + "ab" * 32],
    }
    assert app.dispatch(BoltRequest(body=raw, headers=headers, mode="http")).status == 200
    with engine.connect() as conn:
        (payload,) = conn.execute(select(JobRow.payload)).scalars()
    assert payload["raw_body"] == raw and payload["headers"]["content-type"] == ["application/json"]
    assert "x-slack-signature" not in payload["headers"]
