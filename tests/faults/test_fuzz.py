"""Ten thousand generated slash-command texts and interactive payloads: always answered, never a 500.

Most examples exercise the pure ack-path parsers (``parse_command``, ``bot.parsing.parse``); then
the Bolt app itself (signature check, routing, the ack functions and their middleware) in
process through ``App.dispatch``; a few hundred go over real HTTP. Cases this file once found
answered with 500 (or 404) are kept at the bottom as regression tests.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_bolt.request import BoltRequest

from bot.errors import UsageError
from bot.services.commands import parse_command
from bot.services.reading import parse
from bot.store.migrate import upgrade
from sandbox import signing
from sandbox.runtime import DEV, OPS, OPS2, REQUEST_CHANNEL, STRANGER
from sandbox.slack_api import SlackStandIn
from tests.faults.harness import Replica, add_people, make_settings, new_secret

FAST = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
WORDS = [
    "pods",
    "-A",
    "events",
    "restart",
    "help",
    "도움말",
    "audit",
    "200",
    "--cluster",
    "cluster=prod",
    "rds",
    "report",
    "sysctl",
    "cloudon",
    "cloudon/api-7d9f8-zz81m",
    "kube-system/",
    "/",
    "'",
    '"',
    "\\",
    "\x00",
    "--",
    "파드",
    "삭제가 안돼요",
    "ImagePullBackOff",
    "autostop=yes",
    "<@U123>",
    "&amp;",
    "*",
    "ns=*",
    "\n",
    "\u200b",
]
TEXTS = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join),
    st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=6).map(" ".join),
)
KNOWN_ACTIONS = ["approve_plan", "reject_plan", "revert_plan", "rerun_request", "choose_intent_pods"]
VALUES = st.one_of(
    st.integers(-(2**63), 2**63 - 1).map(str),
    st.text(alphabet=st.characters(blacklist_categories=("Nd",)), max_size=20),
    st.integers(0, 50).map(lambda n: f"{n}:pods"),
)
USERS = st.sampled_from([DEV, OPS, OPS2, STRANGER])  # Slack only sends members' ids
COMMAND_KINDS = {"help", "audit", "request"}


def _payload(action_id: str, value: str, user: str, *, with_channel: bool) -> dict:
    body = {
        "type": "block_actions",
        "user": {"id": user},
        "team": {"id": "T0SANDBOX"},
        "api_app_id": "A0SANDBOX",
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value}],
        "container": {"type": "message", "message_ts": "1700000000.000100"},
        "trigger_id": "1.2.x",
    }
    if with_channel:
        body["channel"] = {"id": REQUEST_CHANNEL}
    return body


PAYLOADS = st.builds(
    _payload,
    st.one_of(st.sampled_from(KNOWN_ACTIONS), st.text(min_size=1, max_size=30)),
    VALUES,
    USERS,
    with_channel=st.just(value=True),
)


def _slash_form(text: str, user: str = DEV, response_url: str = "http://127.0.0.1:9/r") -> bytes:
    return urlencode(
        {
            "team_id": "T0SANDBOX",
            "channel_id": REQUEST_CHANNEL,
            "user_id": user,
            "command": "/ops",
            "text": text,
            "response_url": "http://127.0.0.1:9/r",
            "trigger_id": "1.2.x",
            "api_app_id": "A0SANDBOX",
        }
    ).encode()


def _click_form(payload: dict) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def _headers(secret: str, body: bytes) -> dict[str, str]:
    return {
        "content-type": "application/x-www-form-urlencoded",
        **signing.signed_headers(secret, int(time.time()), body),
    }


@pytest.fixture(scope="module")
def replica(moto_sandbox):
    """One app, its database on tmpfs when there is one (thousands of lazy writes), no cluster."""
    slack = SlackStandIn()
    slack.start()
    add_people(slack)
    tmp = tempfile.mkdtemp(dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    url = f"sqlite:///{tmp}/fuzz.db"
    upgrade(url)
    rep = Replica(make_settings(url, slack, new_secret())).start()
    yield rep
    _drain(rep)
    rep.stop()
    slack.stop()


def _drain(rep: Replica, timeout: float = 60.0) -> None:
    """Wait until the lazy work the fuzzed commands queued has finished (the app threads are not daemons)."""
    from sqlalchemy import func, select

    from bot.store.models import RequestRow

    deadline, last = time.monotonic() + timeout, -1
    while time.monotonic() < deadline:
        with rep.services.repo.sessions() as s:
            total = s.scalar(select(func.count()).select_from(RequestRow))
            busy = s.scalar(select(func.count()).select_from(RequestRow).where(RequestRow.state == "diagnosing"))
        if busy == 0 and total == last:
            return
        last = total
        time.sleep(0.5)


def _dispatch(rep: Replica, body: bytes):
    return rep.bot.app.dispatch(
        BoltRequest(body=body.decode(), headers=_headers(rep.settings.slack_signing_secret, body))
    )


@settings(FAST, max_examples=5500)
@given(TEXTS)
def test_parse_command_understands_or_says_what_is_wrong(text):
    try:
        cmd = parse_command(text, frozenset({"report", "rds"}))
    except UsageError as exc:
        assert exc.message.strip() and exc.message_ko.strip()
        return
    assert cmd.kind in COMMAND_KINDS | {"report", "rds"}
    assert cmd.lang in ("en", "ko")
    if cmd.kind == "request":
        assert cmd.intent and all(isinstance(v, str) for v in cmd.entities.values())


@settings(FAST, max_examples=2500)
@given(TEXTS)
def test_free_text_parser_always_gives_a_json_answer(text):
    result = parse(text)
    out = json.loads(json.dumps(result.to_json(), ensure_ascii=False))
    assert out["language"] in ("en", "ko") and isinstance(out["intent"], str)
    assert all(isinstance(v, str) and v for v in out["entities"].values())


@settings(FAST, max_examples=700)
@given(TEXTS)
def test_every_slash_command_is_acked(replica, text):
    responses = replica.settings.slack_api_url + "../response/fuzz"  # the stand-in records respond()
    resp = _dispatch(replica, _slash_form(text, response_url=responses))
    assert resp.status == 200, (resp.status, resp.body)


@settings(FAST, max_examples=1000)
@given(PAYLOADS)
def test_every_click_is_answered_without_a_server_error(replica, payload):
    resp = _dispatch(replica, _click_form(payload))
    # every click is acked, even one for an action id we never rendered (the catch-all listener)
    assert resp.status == 200, (resp.status, payload)


@settings(FAST, max_examples=300)
@given(st.one_of(TEXTS.map(_slash_form), PAYLOADS.map(_click_form)), st.booleans())
def test_over_http_every_request_gets_200_or_401(replica, body, signed):
    headers = _headers(replica.settings.slack_signing_secret if signed else "forged", body)
    status = replica.driver.post_raw(body, headers).status_code
    assert status in ((200,) if signed else (401,)), status


MALFORMED = {
    "payload that is not JSON": urlencode({"payload": "{nope"}).encode(),
    "payload that is a JSON list": urlencode({"payload": "[1, 2]"}).encode(),
    "view_submission without a view type": _click_form(
        {"type": "view_submission", "user": {"id": OPS}, "view": {"callback_id": "x"}}
    ),
    "approve value beyond 64 bits": _click_form(_payload("approve_plan", "9" * 30, OPS, with_channel=True)),
    "approve clicked where there is no channel (App Home)": _click_form(
        _payload("approve_plan", "1", OPS, with_channel=False)
    ),
}


def test_a_refused_click_is_acked_with_200(replica):
    body = _click_form(_payload("approve_plan", "424242", STRANGER, with_channel=True))
    assert _dispatch(replica, body).status == 200


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_known_malformed_requests_are_answered_without_a_500(replica, name):
    body = MALFORMED[name]
    status = replica.driver.post_raw(body, _headers(replica.settings.slack_signing_secret, body)).status_code
    assert status in (200, 400)
