"""A request signed with the wrong secret is refused *and* logged, through the bot's own HTTP app.

The app is ``build_http_app`` over a bot from ``bot.bootstrap.build``, as ``chatops serve`` builds it,
served by uvicorn and reached over HTTP;
the warning clock is injected, so "once a minute per reason" is checked by moving it, not by waiting.
"""

from __future__ import annotations

import json
import logging
import time

import httpx
import pytest

from bot.bootstrap import build
from bot.http import build_http_app
from bot.settings import Settings
from sandbox import signing
from sandbox.http_server import BackgroundServer

SECRET = "the-apps-real-signing-secret-0123"
WRONG = "a-signing-secret-from-another-app"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def served():
    bot = build(
        Settings(
            database_url="sqlite://",
            slack_signing_secret=SECRET,
            slack_api_url="http://127.0.0.1:9/api/",
            slack_team_id="T1",
        )
    )
    clock = Clock()
    server = BackgroundServer(build_http_app(bot, warn_clock=clock))
    url = server.start()
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            yield client, clock
    finally:
        server.stop()
        bot.engine.dispose()


def _post(client: httpx.Client, secret: str, timestamp: int | None = None) -> int:
    body = json.dumps({"type": "url_verification", "challenge": "c-42", "token": "x"}).encode()
    stamp = int(time.time()) if timestamp is None else timestamp
    return client.post(
        "/slack/events",
        content=body,
        headers={**signing.signed_headers(secret, stamp, body), "Content-Type": "application/json"},
    ).status_code


def _warnings(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.http" and r.levelno == logging.WARNING]


def test_wrong_secret_is_logged_once_a_minute_per_reason_with_a_count(served, caplog):
    client, clock = served
    with caplog.at_level(logging.WARNING, logger="bot.http"):
        assert _post(client, SECRET) == 200  # the control: the right secret passes and logs nothing
        assert _warnings(caplog) == []

        assert [_post(client, WRONG) for _ in range(3)] == [401, 401, 401]
        first = _warnings(caplog)
        assert len(first) == 1  # three refusals, one line
        assert first[0].reason == "signature does not match the body" and first[0].suppressed_since_last == 0
        assert "SLACK_SIGNING_SECRET" in first[0].getMessage()
        assert "signature does not match the body" in first[0].getMessage()

        # another reason has its own minute: a stale timestamp is logged at once, however many HMACs failed
        assert _post(client, SECRET, timestamp=int(time.time()) - 600) == 401
        stale = "X-Slack-Request-Timestamp more than five minutes from now"
        assert [r.reason for r in _warnings(caplog)][1:] == [stale]

        clock.now += 59.0
        assert _post(client, WRONG) == 401
        assert len(_warnings(caplog)) == 2  # still within the minute: counted, not logged

        clock.now += 2.0
        assert _post(client, WRONG) == 401
        last = _warnings(caplog)[-1]
        assert len(_warnings(caplog)) == 3
        assert last.reason == "signature does not match the body" and last.suppressed_since_last == 3
        assert "3 more not logged since the last such line" in last.getMessage()
