"""Forged, tampered, replayed and over-age requests are refused (401) and leave no trace.

Through the real app over HTTP (``Sandbox``). After the refused requests a genuine one is sent as
a sentinel: once its diagnosis is done, anything the refused ones had set off would have run too
(the lazy work is queued in order), so "no side effect" is checked against a settled system:
one request row, audit rows only for it, and Slack calls only for its thread.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest

from sandbox import signing
from sandbox.runtime import DEV, OPS, REQUEST_CHANNEL, Sandbox
from sandbox.worlds.pods import seed_pod_restart_world


@pytest.fixture
def sandbox(moto_sandbox):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sb:
        seed_pod_restart_world(sb.kube)
        yield sb


def _slash_body(text: str = "restart cloudon/api-7d9f8-zz81m") -> bytes:
    return urlencode(
        {
            "token": "x",
            "team_id": "T0SANDBOX",
            "channel_id": REQUEST_CHANNEL,
            "user_id": DEV,
            "command": "/ops",
            "text": text,
            "response_url": "http://127.0.0.1:9/r",
            "trigger_id": "1.2.3",
        }
    ).encode()


def _event_body() -> bytes:
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0SANDBOX",
            "event_id": "Ev0FORGED",
            "event": {
                "type": "message",
                "text": "show pods in cloudon",
                "user": DEV,
                "channel": REQUEST_CHANNEL,
                "ts": "1700000000.000999",
            },
        }
    ).encode()


def _click_body() -> bytes:
    payload = {
        "type": "block_actions",
        "user": {"id": OPS},
        "channel": {"id": REQUEST_CHANNEL},
        "actions": [{"action_id": "approve_plan", "value": "1"}],
        "team": {"id": "T0SANDBOX"},
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


FORM = "application/x-www-form-urlencoded"


def _refused_requests(secret: str) -> list[tuple[str, bytes, dict]]:
    now = int(time.time())
    slash, event, click = _slash_body(), _event_body(), _click_body()
    good = signing.signed_headers(secret, now, slash)
    return [
        ("forged with another secret", slash, signing.signed_headers("not-the-secret", now, slash)),
        ("forged click", click, signing.signed_headers("not-the-secret", now, click)),
        (
            "forged event",
            event,
            {**signing.signed_headers("x" * 32, now, event), "Content-Type": "application/json"},
        ),
        ("over five minutes old", slash, signing.signed_headers(secret, now - 301, slash)),
        ("an hour old, replayed click", click, signing.signed_headers(secret, now - 3600, click)),
        ("from the future", slash, signing.signed_headers(secret, now + 3600, slash)),
        ("body swapped under a valid signature", _slash_body("restart cloudon/debug-shell"), good),
        ("replayed with a fresh timestamp", slash, {**good, "X-Slack-Request-Timestamp": str(now + 5)}),
        ("no signature at all", slash, {}),
        (
            "signature of another scheme",
            slash,
            {**good, "X-Slack-Signature": "v1=" + good["X-Slack-Signature"][3:]},
        ),
    ]


def test_refused_requests_get_401_and_change_nothing(sandbox):
    for name, body, headers in _refused_requests(sandbox.secret):
        resp = sandbox.driver.post_raw(body, {"Content-Type": FORM, **headers})
        assert resp.status_code == 401, name
    # the sentinel: a genuine request, then the system must show only its traces
    assert sandbox.slash("pods cloudon").status_code == 200
    req = sandbox.wait_request()
    assert req.intent == "pods" and req.state == "done"
    with sandbox.repo.sessions() as s:
        from sqlalchemy import func, select

        from bot.store.models import RequestRow, SeenEventRow

        assert s.scalar(select(func.count()).select_from(RequestRow)) == 1
        keys = list(s.scalars(select(SeenEventRow.key)))
        assert len(keys) == 1 and keys[0].startswith("trigger:")  # only the genuine command's replay guard
    assert {r.request_id for r in sandbox.repo.audit_rows()} == {req.id}
    assert not any(r.kind == "refused" for r in sandbox.repo.audit_rows())
    calls = sandbox.slack.calls
    lookups = ("auth.test", "users.info", "conversations.info")  # who is asking, from where (authorization)
    assert calls and all(c.method in ("chat.postMessage", "chat.update", *lookups) for c in calls)
    assert all(c.args.get("thread_ts") in (None, req.thread_ts) for c in calls if c.method == "chat.postMessage")
    assert sandbox.slack.ephemerals() == [] and sandbox.slack.responses == []


def test_a_timestamp_that_is_not_a_number_is_refused_with_401(sandbox):
    body = _slash_body()
    headers = {
        **signing.signed_headers(sandbox.secret, int(time.time()), body),
        "X-Slack-Request-Timestamp": "yesterday",
    }
    assert sandbox.driver.post_raw(body, {"Content-Type": FORM, **headers}).status_code == 401


def test_an_event_replayed_inside_the_window_is_handled_once(sandbox):
    ts = sandbox.slack.add_message(REQUEST_CHANNEL, "show pods in cloudon", DEV).ts
    event = {
        "type": "message",
        "text": "show pods in cloudon",
        "user": DEV,
        "channel": REQUEST_CHANNEL,
        "ts": ts,
    }
    first = sandbox.driver.event(event, event_id="Ev0REPLAY")
    again = sandbox.driver.event(event, event_id="Ev0REPLAY", retry_num=1)
    assert (first.status_code, again.status_code) == (200, 200)
    req = sandbox.wait_request()
    sentinel = sandbox.say("cloudon 네임스페이스 파드 목록 보여줘")  # settles the queue behind the replay
    sandbox.wait_request(lambda r: r.thread_ts == sentinel)
    with sandbox.repo.sessions() as s:
        from sqlalchemy import select

        from bot.store.models import RequestRow

        assert [r.text for r in s.scalars(select(RequestRow).order_by(RequestRow.id))] == [
            "show pods in cloudon",
            "cloudon 네임스페이스 파드 목록 보여줘",
        ]
    assert len([m for m in sandbox.slack.messages(REQUEST_CHANNEL) if m.ts == req.status_ts]) == 1
