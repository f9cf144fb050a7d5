"""SlackDriver and signing against a real Bolt app served over HTTP by BackgroundServer."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from slack_bolt import App
from slack_bolt.adapter.starlette import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from sandbox import signing
from sandbox.http_server import BackgroundServer
from sandbox.slack_api import SlackStandIn
from sandbox.slack_driver import SlackDriver

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@dataclass
class Seen:
    """What the tiny app's listeners received, in order."""

    items: list[tuple[str, Any]] = field(default_factory=list)

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.items]

    def last(self, kind: str) -> Any:
        return [value for k, value in self.items if k == kind][-1]


def tiny_app(slack: SlackStandIn, seen: Seen) -> Starlette:
    app = App(
        client=WebClient("xoxb-test", base_url=slack.base_url),
        signing_secret=SECRET,
        token_verification_enabled=False,
        process_before_response=True,
    )

    @app.command("/ops")
    def ops(ack, command, client, respond):
        ack("on it")
        seen.items.append(("command", command))
        client.chat_postMessage(channel=command["channel_id"], text=f"ops: {command['text']}")
        respond(text=f"received {command['text']}")

    @app.action("approve")
    def approve(ack, body, action):
        ack()
        seen.items.append(
            (
                "action",
                {
                    "value": action["value"],
                    "user": body["user"]["id"],
                    "thread_ts": body["container"].get("thread_ts"),
                    "message_ts": body["message"]["ts"],
                    "channel": body["channel"]["id"],
                },
            )
        )

    @app.view("request_modal")
    def submitted(ack, view, body):
        ack()
        seen.items.append(
            ("view", {"values": view["state"]["values"], "meta": view["private_metadata"], "user": body["user"]["id"]})
        )

    @app.event("app_mention")
    def mentioned(event, request):
        retry = request.headers.get("x-slack-retry-num", [None])[0]
        seen.items.append(("mention", {"text": event["text"], "retry": retry}))

    @app.event("message")
    def message(event):
        seen.items.append(("message", event))

    @app.event("app_home_opened")
    def home(event, client):
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": [{"type": "divider"}]})

    handler = SlackRequestHandler(app)

    async def events(request: Request):
        return await handler.handle(request)

    return Starlette(routes=[Route("/slack/events", events, methods=["POST"])])


@pytest.fixture(scope="module")
def stack():
    slack = SlackStandIn()
    slack.start()
    seen = Seen()
    server = BackgroundServer(tiny_app(slack, seen))
    url = server.start()
    yield slack, seen, url
    server.stop()
    slack.stop()


@pytest.fixture
def world(stack):
    slack, seen, url = stack
    slack.reset()
    seen.items.clear()
    driver = SlackDriver(url, SECRET, response_url_for=slack.response_url)
    return slack, seen, driver


def test_signature_matches_slack_sdks_own_verifier():
    body = b"token=x&team_id=T1&command=%2Fops&text=pods"
    verifier = SignatureVerifier(SECRET, clock=_FixedClock(1_700_000_000))
    sig = signing.signature(SECRET, 1_700_000_000, body)
    assert verifier.is_valid(body, "1700000000", sig)
    assert not verifier.is_valid(body, "1700000000", signing.signature("other", 1_700_000_000, body))
    assert signing.is_valid(SECRET, body, "1700000000", sig, now=1_700_000_100)
    assert not signing.is_valid(SECRET, body, "1700000000", sig, now=1_700_000_301)


class _FixedClock:
    def __init__(self, at: float) -> None:
        self.at = at

    def now(self) -> float:
        return self.at


def test_signed_headers_use_the_injected_clock():
    driver = SlackDriver("http://127.0.0.1:9", SECRET, now=lambda: 1_700_000_123)
    headers = driver.signed_headers(b"{}")
    assert headers["X-Slack-Request-Timestamp"] == "1700000123"
    assert headers["X-Slack-Signature"] == signing.signature(SECRET, 1_700_000_123, b"{}")


def test_slash_command_is_acked_and_the_listener_posts(world):
    slack, seen, driver = world
    answer = driver.slash("pods cloudon", user="U_DEV", channel="C_REQ")
    assert answer.status_code == 200 and answer.text == "on it"
    command = seen.last("command")
    assert (command["user_id"], command["channel_id"], command["command"]) == ("U_DEV", "C_REQ", "/ops")
    assert command["team_id"] == "T0SANDBOX" and command["trigger_id"]
    assert [m.text for m in slack.messages("C_REQ")] == ["ops: pods cloudon"]
    assert slack.wait_for(lambda r: True, source="responses").body["text"] == "received pods cloudon"


def test_forged_signature_is_refused_and_reaches_no_listener(world):
    slack, seen, driver = world
    body = b"command=%2Fops&text=pods&user_id=U_EVIL&channel_id=C_REQ&team_id=T0SANDBOX"
    answer = driver.post_raw(
        body,
        {"Content-Type": "application/x-www-form-urlencoded", **driver.signed_headers(body, secret="not-the-secret")},
    )
    assert answer.status_code == 401
    assert seen.items == [] and slack.calls_to("chat.postMessage") == []


def test_timestamp_older_than_five_minutes_is_refused(stack):
    slack, seen, url = stack
    seen.items.clear()

    def driver_at(age: float) -> SlackDriver:
        return SlackDriver(url, SECRET, now=lambda: time.time() - age, response_url_for=slack.response_url)

    assert driver_at(301).slash("pods").status_code == 401
    assert driver_at(200).slash("pods").status_code == 200
    assert seen.kinds() == ["command"]


def test_block_action_carries_value_user_and_thread(world):
    _, seen, driver = world
    answer = driver.block_action(
        "approve",
        "plan-42",
        user="U_OPS",
        channel="C_REQ",
        message_ts="1700000000.000200",
        thread_ts="1700000000.000100",
    )
    assert answer.status_code == 200
    assert seen.last("action") == {
        "value": "plan-42",
        "user": "U_OPS",
        "thread_ts": "1700000000.000100",
        "message_ts": "1700000000.000200",
        "channel": "C_REQ",
    }


def test_view_submission_carries_state_values(world):
    _, seen, driver = world
    answer = driver.view_submission(
        "request_modal", {"ns": {"ns_input": "cloudon"}}, user="U_DEV", private_metadata="req-7"
    )
    assert answer.status_code == 200
    submitted = seen.last("view")
    assert submitted["values"] == {"ns": {"ns_input": {"type": "plain_text_input", "value": "cloudon"}}}
    assert (submitted["meta"], submitted["user"]) == ("req-7", "U_DEV")


def test_url_verification_echoes_the_challenge(world):
    _, _, driver = world
    answer = driver.url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
    assert answer.status_code == 200
    assert answer.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_mention_and_retry_headers(world):
    _, seen, driver = world
    assert driver.mention("help", user="U_DEV", channel="C_REQ").status_code == 200
    driver.event(
        {
            "type": "app_mention",
            "text": "<@UBOT> again",
            "user": "U_DEV",
            "channel": "C_REQ",
            "ts": "1.1",
            "event_ts": "1.1",
        },
        event_id="Ev1",
        retry_num=1,
    )
    first, retried = [value for kind, value in seen.items if kind == "mention"]
    assert first == {"text": "<@UBOT> help", "retry": None}
    assert retried == {"text": "<@UBOT> again", "retry": "1"}


def test_message_event_in_a_thread(world):
    _, seen, driver = world
    assert (
        driver.message(
            "cloudon 네임스페이스 ingress 삭제가 안돼요",
            user="U_DEV",
            channel="C_REQ",
            ts="1700000001.000100",
            thread_ts="1700000000.000100",
        ).status_code
        == 200
    )
    event = seen.last("message")
    assert (event["text"], event["ts"], event["thread_ts"]) == (
        "cloudon 네임스페이스 ingress 삭제가 안돼요",
        "1700000001.000100",
        "1700000000.000100",
    )


def test_app_home_opened_leads_to_a_published_home(world):
    slack, _, driver = world
    assert driver.app_home_opened("U_OPS").status_code == 200
    assert slack.home("U_OPS")["blocks"] == [{"type": "divider"}]


def test_background_server_stops_listening(stack):
    server = BackgroundServer(Starlette())
    url = server.start()
    assert httpx.get(url + "/nothing").status_code == 404
    server.stop()
    port = int(url.rsplit(":", 1)[1])
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
