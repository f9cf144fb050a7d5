"""Socket Mode envelopes reach the same listeners; approvers from a Slack user group, re-checked per click."""

from __future__ import annotations

import time

import httpx
import pytest
from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.http import build_http_app
from sandbox.http_server import BackgroundServer
from sandbox.runtime import DEV, OPS, OPS2, REQUEST_CHANNEL, Sandbox
from sandbox.worlds.pods import seed_pod_restart_world


def test_socket_mode_slash_command_is_acked_and_handled(moto_sandbox):
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sandbox:
        seed_pod_restart_world(sandbox.kube)
        handler = SocketModeHandler(sandbox.bot.app, app_token="xapp-1-A0SANDBOX-1-abc")
        handler.connect()
        try:
            envelope = {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": {
                    "command": "/ops",
                    "text": "pods cloudon",
                    "user_id": DEV,
                    "channel_id": REQUEST_CHANNEL,
                    "team_id": "T0SANDBOX",
                    "response_url": sandbox.slack.response_url("sock"),
                },
            }
            ack = sandbox.slack.socket_send(envelope)
            event = {
                "envelope_id": "env-2",
                "type": "events_api",
                "accepts_response_payload": False,
                "payload": {
                    "type": "event_callback",
                    "event_id": "EvSock",
                    "team_id": "T0SANDBOX",
                    "event": {
                        "type": "message",
                        "text": "cloudon 파드 목록 보여줘",
                        "user": DEV,
                        "channel": REQUEST_CHANNEL,
                        "ts": sandbox.slack.next_ts(),
                    },
                },
            }
            ack2 = sandbox.slack.socket_send(event)
            req = sandbox.wait_request(lambda r: r.intent == "pods" and r.lang == "en")
            ko = sandbox.wait_request(lambda r: r.intent == "pods" and r.lang == "ko")
        finally:
            handler.close()
        assert ack["envelope_id"] == "env-1" and "On it" in str(ack.get("payload"))
        assert ack2["envelope_id"] == "env-2"
        assert req.state == "done" and ko.state == "done"
        assert "api-7d9f8-zz81m" in str(sandbox.slack.thread(REQUEST_CHANNEL, req.thread_ts)[1].blocks)


def test_socket_mode_health_is_ready_while_the_real_handler_is_connected(moto_sandbox):
    """``chatops socket --health-port`` asks the Socket Mode client whether it is connected."""
    moto_sandbox.reset()
    with Sandbox(moto=moto_sandbox) as sandbox:
        handler = SocketModeHandler(sandbox.bot.app, app_token="xapp-1-A0SANDBOX-1-abc")
        server = BackgroundServer(build_http_app(sandbox.bot, socket_connected=handler.client.is_connected))
        url = server.start()
        try:
            with httpx.Client(base_url=url, timeout=30) as client:
                assert client.get("/readyz").status_code == 503
                handler.connect()
                assert client.get("/readyz").status_code == 200
                handler.close()
                assert client.get("/readyz").status_code == 503
        finally:
            handler.close()
            server.stop()


@pytest.fixture
def group_sandbox(moto_sandbox):
    moto_sandbox.reset()
    overrides = {"approver_user_ids": "", "approver_usergroup": "S_OPS", "usergroup_cache_seconds": 0}
    with Sandbox(moto=moto_sandbox, settings_overrides=overrides) as sandbox:
        sandbox.slack.set_usergroup("S_OPS", [OPS])
        yield sandbox


def test_usergroup_members_approve_and_membership_is_rechecked_at_click_time(group_sandbox):
    sandbox = group_sandbox
    facts = seed_pod_restart_world(sandbox.kube)
    sandbox.slash(f"restart cloudon/{facts['stuck']}")
    plan = sandbox.repo.plans_for_request(sandbox.wait_request(lambda r: r.intent == "pod_restart").id)[0]
    sandbox.click("approve_plan", plan.id, user=OPS2, message_ts=plan.message_ts)
    sandbox.slack.wait_for(lambda e: "Only approvers" in e.text, source="ephemerals")
    assert sandbox.repo.get_plan(plan.id).status == "proposed"
    sandbox.slack.set_usergroup("S_OPS", [OPS2])  # membership changes: OPS is out, OPS2 is in
    sandbox.click("approve_plan", plan.id, user=OPS, message_ts=plan.message_ts)
    time.sleep(0.3)
    assert sandbox.repo.get_plan(plan.id).status == "proposed"
    sandbox.click("approve_plan", plan.id, user=OPS2, message_ts=plan.message_ts)
    assert sandbox.wait_plan_status(plan.id, ("applied", "failed")).status == "applied"
    assert sandbox.slack.calls_to("usergroups.users.list")
