"""The Slack Web API stand-in, driven by the real slack_sdk WebClient (and Bolt for Socket Mode)."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from sandbox import slack_checks
from sandbox.slack_api import SlackStandIn


@pytest.fixture
def slack():
    stand_in = SlackStandIn()
    stand_in.start()
    yield stand_in
    stand_in.stop()


@pytest.fixture
def client(slack) -> WebClient:
    return WebClient("xoxb-test", base_url=slack.base_url)


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(action_id: str, value: str = "1") -> dict:
    return {"type": "button", "text": {"type": "plain_text", "text": "Go"}, "action_id": action_id, "value": value}


def slack_error(call) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        call()
    return caught.value


def test_start_returns_a_base_url_for_webclient(slack):
    assert slack.base_url == slack.url + "/api/"
    assert slack.url.startswith("http://127.0.0.1:")


def test_post_message_hands_out_increasing_ts_and_records_the_message(slack, client):
    first = client.chat_postMessage(channel="C1", text="hello", blocks=[section("*hello*")])
    second = client.chat_postMessage(channel="C1", text="again")
    assert first["ts"] == "1700000000.000100"
    assert float(second["ts"]) > float(first["ts"])
    assert first["channel"] == "C1" and first["message"]["text"] == "hello"
    assert [m.text for m in slack.messages("C1")] == ["hello", "again"]
    assert slack.messages("C1")[0].blocks == (section("*hello*"),)
    assert slack.calls_to("chat.postMessage")[0]["blocks"] == [section("*hello*")]


def test_blocks_sent_as_a_json_string_in_a_form_are_decoded(slack):
    body = {"channel": "C1", "text": "t", "blocks": json.dumps([section("form")])}
    answer = httpx.post(
        slack.base_url + "chat.postMessage", data=body, headers={"Authorization": "Bearer xoxb-test"}
    ).json()
    assert answer["ok"] is True
    assert slack.messages("C1")[0].blocks == (section("form"),)


def test_form_blocks_that_are_not_json_are_refused(slack):
    answer = httpx.post(
        slack.base_url + "chat.postMessage",
        data={"channel": "C1", "blocks": "[{"},
        headers={"Authorization": "Bearer xoxb-test"},
    ).json()
    assert answer == {"ok": False, "error": "invalid_blocks_format"}


def test_update_replaces_text_and_blocks_of_an_existing_message(slack, client):
    ts = client.chat_postMessage(channel="C1", text="pending")["ts"]
    client.chat_update(channel="C1", ts=ts, text="approved", blocks=[section("done")])
    (message,) = slack.messages("C1")
    assert (message.text, message.blocks, message.updates) == ("approved", (section("done"),), 1)


def test_update_of_an_unknown_message_is_message_not_found(client):
    error = slack_error(lambda: client.chat_update(channel="C1", ts="1.2", text="x"))
    assert error.response["error"] == "message_not_found"


def test_thread_lists_the_parent_then_replies(slack, client):
    parent = client.chat_postMessage(channel="C1", text="request")["ts"]
    client.chat_postMessage(channel="C1", text="other")
    client.chat_postMessage(channel="C1", text="finding", thread_ts=parent)
    client.chat_postMessage(channel="C1", text="applied", thread_ts=parent)
    assert [m.text for m in slack.thread("C1", parent)] == ["request", "finding", "applied"]
    assert slack.find(lambda m: m.text == "applied").thread_ts == parent


def actions(*elements: dict) -> dict:
    return {"type": "actions", "elements": list(elements)}


def blocks(*items: dict) -> dict:
    return {"channel": "C1", "text": "t", "blocks": list(items)}


HEADER_151 = {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}
ELEVEN_FIELDS = {"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"text": "no channel"}, "channel_not_found"),
        ({"channel": "C1"}, "no_text"),
        ({"channel": "C1", "text": "x" * 40_001}, "msg_too_long"),
        (blocks(*[section("b")] * 51), "invalid_blocks"),
        (blocks(section("x" * 3001)), "invalid_blocks"),
        (blocks(HEADER_151), "invalid_blocks"),
        (blocks(actions(button("a", "v" * 2001))), "invalid_blocks"),
        (blocks(actions(button("a" * 256))), "invalid_blocks"),
        (blocks(actions(button("same")), actions(button("same"))), "invalid_blocks"),
        (blocks(ELEVEN_FIELDS), "invalid_blocks"),
        (blocks({"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}), "invalid_blocks"),
        (blocks({"type": "context", "elements": [{"type": "mrkdwn", "text": "c" * 3001}]}), "invalid_blocks"),
        (blocks(actions(*[button(f"b{i}") for i in range(26)])), "invalid_blocks"),
        (blocks({"type": "section", "text": {"text": "text object without type"}}), "invalid_blocks"),
        (blocks({"text": {"type": "mrkdwn", "text": "block without type"}}), "invalid_blocks"),
    ],
)
def test_messages_slack_would_refuse_are_refused_and_not_delivered(slack, client, kwargs, error):
    refusal = slack_error(lambda: client.api_call("chat.postMessage", json=kwargs))
    assert refusal.response["error"] == error
    assert slack.messages() == []
    assert slack.calls[-1].response["ok"] is False


def test_limits_are_inclusive():
    blocks = [
        section("x" * 3000),
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 150}},
        {"type": "actions", "elements": [button(f"b{i}", "v" * 2000) for i in range(25)]},
    ]
    blocks += [{"type": "divider"}] * (50 - len(blocks))
    assert slack_checks.message_error("t", blocks) is None
    assert slack_checks.message_error("x" * 40_000, None) is None


def test_invalid_blocks_name_the_offending_block():
    code, problems = slack_checks.message_error("t", [section("ok"), section("x" * 3001)])
    assert code == "invalid_blocks"
    assert len(problems) == 1
    assert problems[0].endswith("[json-pointer:/blocks/1]") and "3000 characters" in problems[0]


@pytest.mark.parametrize(
    "block",
    [
        {"type": "no_such_block"},
        {
            "type": "actions",
            "elements": [
                {
                    **button("a"),
                    "confirm": {
                        "title": {"type": "plain_text", "text": "t"},
                        "text": {"type": "mrkdwn", "text": "c" * 301},
                        "confirm": {"type": "plain_text", "text": "ok"},
                        "deny": {"type": "plain_text", "text": "no"},
                    },
                }
            ],
        },
        {"type": "markdown", "text": "m" * 12_001},
        {"type": "divider", "block_id": "b" * 256},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11},
    ],
)
def test_slack_sdks_own_block_models_decide_what_is_invalid(block):
    code, problems = slack_checks.message_error("t", [block])
    assert code == "invalid_blocks" and "[json-pointer:/blocks/0" in problems[0]


def test_what_slack_sdk_lets_through_is_still_refused_where_slack_documents_it():
    empty = {"type": "section", "text": {"type": "mrkdwn", "text": ""}}
    mrkdwn_header = {"type": "header", "text": {"type": "mrkdwn", "text": "h"}}
    empty_actions = {"type": "actions", "elements": []}
    for block in (empty, mrkdwn_header, empty_actions):
        assert slack_checks.message_error("t", [block])[0] == "invalid_blocks", block


def test_blocks_over_about_13000_characters_of_text_are_msg_blocks_too_long(slack, client):
    under = [section("x" * 2900)] * 4  # 11,600
    over = [section("x" * 2900)] * 5  # 14,500: every block valid on its own
    assert slack_checks.message_error("t", under) is None
    refusal = slack_error(lambda: client.chat_postMessage(channel="C1", text="t", blocks=over))
    assert refusal.response["error"] == "msg_blocks_too_long"
    assert slack.messages() == []


@pytest.mark.parametrize("method", ["chat_postMessage", "chat_postEphemeral", "chat_update", "upload"])
def test_a_channel_the_bot_is_not_in_is_not_in_channel(slack, client, method):
    slack.add_channel("C_REQ", "eks-requests")
    ts = client.chat_postMessage(channel="C_REQ", text="before")["ts"]
    slack.add_channel("C_OUT", "elsewhere", is_member=False)
    slack.remove_bot("C_REQ")
    calls = {
        "chat_postMessage": lambda: client.chat_postMessage(channel="C_OUT", text="t"),
        "chat_postEphemeral": lambda: client.chat_postEphemeral(channel="C_OUT", user="U1", text="t"),
        "chat_update": lambda: client.chat_update(channel="C_REQ", ts=ts, text="after"),
        "upload": lambda: client.files_upload_v2(channel="C_OUT", filename="a.txt", content="a"),
    }
    assert slack_error(calls[method]).response["error"] == "not_in_channel"
    assert [m.text for m in slack.messages()] == ["before"] and slack.uploads == []
    slack.invite_bot("C_OUT")
    client.chat_postMessage(channel="C_OUT", text="invited")
    assert slack.messages("C_OUT")[0].text == "invited"


def test_archived_and_unknown_channels_are_refused_like_slack(slack, client):
    slack.add_channel("C_OLD", "old", is_archived=True)
    assert slack_error(lambda: client.chat_postMessage(channel="C_OLD", text="t")).response["error"] == "is_archived"
    slack.add_channel("C_GONE", "gone")
    slack.forget_channel("C_GONE")
    assert (
        slack_error(lambda: client.chat_postMessage(channel="C_GONE", text="t")).response["error"]
        == "channel_not_found"
    )
    client.chat_postMessage(channel="C_NEVER_ADDED", text="lenient by default")
    slack.mark_strict()
    assert (
        slack_error(lambda: client.chat_postMessage(channel="C_NEVER_ADDED", text="t")).response["error"]
        == "channel_not_found"
    )
    client.chat_postMessage(channel="D_DEV", text="a direct message always works")
    assert [m.text for m in slack.messages()] == ["lenient by default", "a direct message always works"]


def test_tokens_are_checked_like_slack(slack):
    no_token = httpx.post(slack.base_url + "auth.test").json()
    app_token = WebClient("xapp-1-abc", base_url=slack.base_url)
    unknown = httpx.post(slack.base_url + "chat.fly", headers={"Authorization": "Bearer xoxb-test"})
    assert no_token == {"ok": False, "error": "not_authed"}
    assert slack_error(lambda: app_token.chat_postMessage(channel="C", text="t")).response["error"] == (
        "not_allowed_token_type"
    )
    assert (unknown.status_code, unknown.json()) == (200, {"ok": False, "error": "unknown_method"})


def test_auth_test_names_the_bot(client):
    answer = client.auth_test()
    assert (answer["user_id"], answer["bot_id"], answer["team_id"]) == ("UBOT", "B0SANDBOX", "T0SANDBOX")


def test_users_info_gives_locale_only_when_asked_like_slack(slack, client):
    slack.add_user("U1", "dev-kim", locale="ko-KR")
    plain = client.users_info(user="U1")["user"]
    with_locale = client.users_info(user="U1", include_locale=True)["user"]
    assert "locale" not in plain
    assert (with_locale["locale"], with_locale["tz"]) == ("ko-KR", "Asia/Seoul")
    assert with_locale["tz_offset"] == 9 * 3600
    assert with_locale["name"] == "dev-kim"
    assert slack_error(lambda: client.users_info(user="U404")).response["error"] == "user_not_found"


def test_usergroup_members_and_unknown_group(slack, client):
    slack.set_usergroup("S_OPS", ["U_OPS1", "U_OPS2"])
    assert client.usergroups_users_list(usergroup="S_OPS")["users"] == ["U_OPS1", "U_OPS2"]
    unknown = slack_error(lambda: client.usergroups_users_list(usergroup="S_NO"))
    assert unknown.response["error"] == "no_such_subteam"


def test_conversations_info(slack, client):
    slack.add_channel("C_REQ", "eks-requests")
    assert client.conversations_info(channel="C_REQ")["channel"]["name"] == "eks-requests"
    unknown = slack_error(lambda: client.conversations_info(channel="C_NO"))
    assert unknown.response["error"] == "channel_not_found"


def test_ephemerals_are_kept_apart_from_channel_messages(slack, client):
    answer = client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert answer["message_ts"]
    assert [e.text for e in slack.ephemerals("U1")] == ["only you"]
    assert slack.ephemerals("U2") == [] and slack.messages() == []


def modal(blocks: list) -> dict:
    return {"type": "modal", "callback_id": "req", "title": {"type": "plain_text", "text": "Request"}, "blocks": blocks}


def test_views_open_needs_a_trigger_and_returns_an_id(slack, client):
    view = client.views_open(trigger_id="123.456.abc", view=modal([section("hi")]))["view"]
    updated = client.views_update(view_id=view["id"], view=modal([section("changed")]))["view"]
    missing = slack_error(lambda: client.views_open(trigger_id="", view=modal([])))
    assert view["id"].startswith("V") and updated["id"] == view["id"]
    assert slack.views()[0]["blocks"] == [section("changed")]
    assert missing.response["error"] == "invalid_arguments"


def test_views_allow_100_blocks_but_not_101(client):
    client.views_publish(user_id="U1", view={"type": "home", "blocks": [{"type": "divider"}] * 100})
    too_many = {"type": "home", "blocks": [{"type": "divider"}] * 101}
    error = slack_error(lambda: client.views_publish(user_id="U1", view=too_many))
    assert error.response["error"] == "invalid_arguments"
    assert "no more than 100 items" in error.response["response_metadata"]["messages"][0]


def test_views_publish_keeps_the_home_tab_per_user(slack, client):
    client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("pending: 2")]})
    assert slack.home("U1")["blocks"] == [section("pending: 2")]
    assert slack.home("U2") is None
    no_user = slack_error(lambda: client.views_publish(user_id="", view={"type": "home", "blocks": []}))
    assert no_user.response["error"] == "invalid_arguments"


def test_reactions_add_marks_the_message_once(slack, client):
    ts = client.chat_postMessage(channel="C1", text="t")["ts"]
    client.reactions_add(channel="C1", timestamp=ts, name="eyes")
    assert slack.messages("C1")[0].reactions == ("eyes",)
    twice = slack_error(lambda: client.reactions_add(channel="C1", timestamp=ts, name="eyes"))
    assert twice.response["error"] == "already_reacted"


def test_files_upload_v2_goes_through_the_three_steps(slack, client):
    parent = client.chat_postMessage(channel="C1", text="report")["ts"]
    answer = client.files_upload_v2(
        channel="C1", thread_ts=parent, filename="cost.png", title="Cost", content=b"\x89PNG" + b"0" * 96
    )
    (upload,) = slack.uploads
    assert (upload.filename, upload.title, upload.channel, upload.thread_ts, upload.length) == (
        "cost.png",
        "Cost",
        "C1",
        parent,
        100,
    )
    assert answer["file"]["id"] == upload.file_id
    assert [m.files for m in slack.thread("C1", parent)][-1] == (upload.file_id,)


def test_response_urls_record_what_respond_sends(slack):
    url = slack.response_url("cmd-1")
    WebhookClient(url).send(text="working on it", response_type="ephemeral", replace_original=False)
    (response,) = slack.responses
    assert response.tag == "cmd-1"
    assert response.body == {"text": "working on it", "response_type": "ephemeral", "replace_original": False}


def test_rate_limited_calls_are_retried_by_slack_sdk(slack):
    slack.fail_next("chat.postMessage", status=429, retry_after=0, times=2)
    client = WebClient(
        "xoxb-test", base_url=slack.base_url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)]
    )
    assert client.chat_postMessage(channel="C1", text="eventually")["ok"] is True
    assert [c.response.get("error") for c in slack.calls] == ["ratelimited", "ratelimited", None]
    assert [m.text for m in slack.messages()] == ["eventually"]


def test_rate_limit_without_retries_surfaces_429_and_retry_after(slack, client):
    slack.fail_next("chat.postMessage", retry_after=7)
    error = slack_error(lambda: client.chat_postMessage(channel="C1", text="t"))
    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] in ("7", ["7"])
    assert error.response["error"] == "ratelimited"
    assert client.chat_postMessage(channel="C1", text="t")["ok"] is True


def test_fail_next_with_an_error_code(slack, client):
    slack.fail_next("chat.postMessage", error="channel_not_found")
    assert slack_error(lambda: client.chat_postMessage(channel="C1", text="t")).response["error"] == (
        "channel_not_found"
    )
    assert slack.messages() == []


def test_wait_for_sees_a_message_posted_later(slack, client):
    timer = threading.Timer(0.1, lambda: client.chat_postMessage(channel="C1", text="late"))
    timer.start()
    assert slack.wait_for(lambda m: m.text == "late", timeout=3).channel == "C1"
    assert slack.wait_for(lambda c: c.method == "chat.postMessage", source="calls").args["text"] == "late"


def test_wait_for_timeout_lists_what_did_arrive(slack, client):
    client.chat_postMessage(channel="C1", text="something else")
    started = time.monotonic()
    with pytest.raises(AssertionError, match="something else"):
        slack.wait_for(lambda m: m.text == "never", timeout=0.2)
    assert time.monotonic() - started < 2


def test_reset_forgets_traffic_but_keeps_the_workspace(slack, client):
    slack.add_user("U1", "kim")
    client.chat_postMessage(channel="C1", text="t")
    slack.reset()
    assert slack.calls == [] and slack.messages() == []
    assert client.users_info(user="U1")["user"]["name"] == "kim"


def test_apps_connections_open_wants_an_app_level_token(slack, client):
    assert slack_error(lambda: client.apps_connections_open(app_token="xoxb-test")).response["error"] == (
        "invalid_auth"
    )
    url = client.apps_connections_open(app_token="xapp-1-A1-1-abc")["url"]
    assert url.startswith("ws://127.0.0.1:")


def test_socket_mode_envelope_is_acked_by_a_bolt_app(slack):
    app = App(
        client=WebClient("xoxb-test", base_url=slack.base_url),
        signing_secret="unused",
        token_verification_enabled=False,
    )

    @app.command("/ops")
    def ops(ack, command):
        ack(f"on it: {command['text']}")

    handler = SocketModeHandler(app, app_token="xapp-1-A0SANDBOX-1-abc")
    handler.connect()
    try:
        envelope = {
            "envelope_id": "e1",
            "type": "slash_commands",
            "accepts_response_payload": True,
            "payload": {
                "command": "/ops",
                "text": "pods cloudon",
                "user_id": "U_DEV",
                "channel_id": "C_REQ",
                "team_id": "T0SANDBOX",
                "api_app_id": "A0SANDBOX",
                "response_url": slack.response_url("s"),
                "trigger_id": "1.2.3",
            },
        }
        ack = slack.socket_send(envelope)
    finally:
        handler.close()
    assert ack["envelope_id"] == "e1"
    assert ack["payload"]["text"] == "on it: pods cloudon"


def test_a_thread_reads_back_parent_first_in_pages_and_an_unknown_ts_is_thread_not_found(slack, client):
    slack.add_channel("C_REQ", "eks-requests")
    parent = client.chat_postMessage(channel="C_REQ", text="status")["ts"]
    for n in range(3):
        client.chat_postMessage(channel="C_REQ", thread_ts=parent, text=f"reply {n}")
    client.chat_postMessage(channel="C_REQ", text="elsewhere")
    first = client.conversations_replies(channel="C_REQ", ts=parent, limit=2)
    assert [m["text"] for m in first["messages"]] == ["status", "reply 0"] and first["has_more"]
    cursor = first["response_metadata"]["next_cursor"]
    rest = client.conversations_replies(channel="C_REQ", ts=parent, limit=2, cursor=cursor)
    assert [m["text"] for m in rest["messages"]] == ["reply 1", "reply 2"] and not rest["has_more"]
    assert all(m["bot_id"] for m in first["messages"] + rest["messages"])
    missing = slack_error(lambda: client.conversations_replies(channel="C_REQ", ts="1.000001"))
    assert missing.response["error"] == "thread_not_found"


def test_conversations_history_is_top_level_newest_first_with_metadata_on_request(client):
    meta = {"event_type": "chatops_request_opened", "event_payload": {"request_id": 7}}
    root = client.chat_postMessage(channel="C_REQ", text="status", metadata=meta)["ts"]
    client.chat_postMessage(channel="C_REQ", thread_ts=root, text="a reply")
    later = [client.chat_postMessage(channel="C_REQ", text=f"later {n}")["ts"] for n in range(3)]
    client.chat_postMessage(channel="C_OTHER", text="elsewhere")
    first = client.conversations_history(channel="C_REQ", limit=2)
    assert [m["text"] for m in first["messages"]] == ["later 2", "later 1"] and first["has_more"]
    rest = client.conversations_history(channel="C_REQ", limit=2, cursor=first["response_metadata"]["next_cursor"])
    assert [m["text"] for m in rest["messages"]] == ["later 0", "status"] and not rest["has_more"]
    assert "metadata" not in rest["messages"][1]  # only with include_all_metadata
    with_meta = client.conversations_history(channel="C_REQ", include_all_metadata=True)["messages"]
    assert [m.get("metadata") for m in with_meta] == [None, None, None, meta]
    replies = client.conversations_replies(channel="C_REQ", ts=root, include_all_metadata=True)["messages"]
    assert replies[0]["metadata"] == meta and "metadata" not in replies[1]
    bounded = client.conversations_history(channel="C_REQ", oldest=root, latest=later[2])["messages"]
    assert [m["ts"] for m in bounded] == [later[1], later[0]]  # both ends exclusive by default
    inclusive = client.conversations_history(channel="C_REQ", oldest=root, latest=later[2], inclusive=True)
    assert [m["ts"] for m in inclusive["messages"]] == [*reversed(later), root]


@pytest.mark.parametrize(
    "metadata, error",
    [
        ({"event_payload": {}}, "invalid_metadata_schema"),
        ({"event_type": "x", "event_payload": "not an object"}, "invalid_metadata_schema"),
        ("{not json", "invalid_metadata_format"),
    ],
)
def test_message_metadata_that_is_not_an_event_is_refused(client, metadata, error):
    refused = slack_error(lambda: client.chat_postMessage(channel="C_REQ", text="status", metadata=metadata))
    assert refused.response["error"] == error
