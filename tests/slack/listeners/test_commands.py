"""The ``/ops`` callbacks of ``bot.slack.listeners.commands``, called directly with mocks."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from unittest.mock import Mock

from bot.domain import Msg
from bot.services.authz import Refusal
from bot.services.commands import Command
from bot.services.policy import Action
from bot.services.requests import Ask
from bot.slack.deps import Builtin
from bot.slack.listeners import commands


def _command(text: str, user: str = "U1", channel: str = "C1", trigger: str = "T1") -> dict:
    return {"command": "/ops", "text": text, "user_id": user, "channel_id": channel, "trigger_id": trigger}


def _run(context, respond, client, text: str, **kwargs) -> None:
    command = _command(text, **kwargs)
    commands.run_ops(body=command, respond=respond, command=command, client=client, context=context)


# --- the ack ----------------------------------------------------------------------------------------
def test_a_usage_error_is_answered_in_the_ack_in_english(ack, context):
    commands.ack_ops(ack=ack, command=_command("audit abc"), context=context)
    ack.assert_called_once_with(
        text="⚠️ usage: audit [N] (N a number from 1 to 200).\nTry `/ops help`.", response_type="ephemeral"
    )


def test_a_usage_error_in_korean_text_is_answered_in_korean(ack, context):
    commands.ack_ops(ack=ack, command=_command("audit 스무"), context=context)
    ack.assert_called_once_with(
        text="⚠️ 사용법: audit [N] (N은 1~200).\n`/ops help` 를 입력해 보세요.", response_type="ephemeral"
    )


def test_the_slash_command_named_in_the_usage_hint_is_the_configured_one(ack, context, settings):
    settings.slash_command = "/chatops"
    commands.ack_ops(ack=ack, command=_command("audit abc"), context=context)
    assert "Try `/chatops help`." in ack.call_args.kwargs["text"]


def test_help_is_answered_in_the_ack_with_the_builtins_usage(ack, context, deps):
    deps.add_builtin(Builtin("report", (("report list", Msg("Show the reports.", "보고서 목록.")),), Mock()))
    commands.ack_ops(ack=ack, command=_command("help"), context=context)
    text = ack.call_args.kwargs["text"]
    assert ack.call_args.kwargs["response_type"] == "ephemeral"
    assert text.startswith("*What I can do*")
    assert "/ops report list" in text and "Show the reports." in text


def test_a_request_is_acked_with_a_short_note(ack, context):
    commands.ack_ops(ack=ack, command=_command("pods cloudon"), context=context)
    ack.assert_called_once_with(text="👀 On it…", response_type="ephemeral")


# --- the lazy half ----------------------------------------------------------------------------------
def test_a_request_is_submitted_with_what_was_asked_and_its_delivery_key(context, deps, respond, client):
    _run(context, respond, client, "pods cloudon")
    # the request service records the delivery in the same transaction as the request
    deps.services.repo.first_time.assert_not_called()
    deps.requests.submit.assert_called_once_with(
        Ask(
            user="U1",
            channel="C1",
            text="pods cloudon",
            lang="en",
            intent="pods",
            entities={"namespace": "cloudon"},
            once_key="trigger:T1",
        )
    )
    respond.assert_not_called()


def test_usage_errors_and_help_were_answered_in_the_ack_and_do_nothing_more(context, deps, respond, client):
    _run(context, respond, client, "audit abc")
    _run(context, respond, client, "help")
    deps.services.repo.first_time.assert_not_called()
    deps.requests.submit.assert_not_called()
    respond.assert_not_called()


def test_the_same_trigger_delivered_again_is_handled_once(context, deps, respond, client):
    deps.services.repo.first_time.return_value = False
    _run(context, respond, client, "audit 5")
    deps.services.repo.first_time.assert_called_once_with("trigger:T1", deps.services.clock.return_value)
    respond.assert_not_called()
    deps.services.repo.audit_rows.assert_not_called()


def test_audit_is_refused_when_the_second_look_says_no(context, deps, respond, client):
    deps.services.repo.first_time.return_value = True
    deps.authz.who_refusal.return_value = Refusal("who", Msg("Approvers only.", "승인자만 가능합니다."))
    _run(context, respond, client, "audit 5", user="U7")
    deps.authz.who_refusal.assert_called_once_with(Action.AUDIT, "U7", fresh=True)
    respond.assert_called_once_with(text="🚫 Approvers only.", response_type="ephemeral", replace_original=False)
    deps.services.repo.audit_rows.assert_not_called()


def test_audit_shows_the_rows_asked_for(context, deps, respond, client):
    deps.services.repo.first_time.return_value = True
    deps.authz.who_refusal.return_value = None
    deps.services.repo.audit_rows.return_value = [
        SimpleNamespace(id=3, at=datetime(2026, 1, 2, 3, 4, 5), kind="applied", actor="U1", plan_id=9, summary="ok")
    ]
    _run(context, respond, client, "audit 5")
    deps.services.repo.audit_rows.assert_called_once_with(limit=5)
    text = respond.call_args.kwargs["text"]
    assert text.startswith("```") and "01-02 03:04:05" in text and "applied" in text
    assert respond.call_args.kwargs["response_type"] == "ephemeral"


def test_audit_with_no_rows_says_so_and_is_capped(context, deps, respond, client):
    deps.services.repo.first_time.return_value = True
    deps.authz.who_refusal.return_value = None
    deps.services.repo.audit_rows.return_value = []
    _run(context, respond, client, "audit 999")
    deps.services.repo.audit_rows.assert_called_once_with(limit=200)
    respond.assert_called_once_with(text="No audit rows yet.", response_type="ephemeral", replace_original=False)


def test_an_rds_schedule_without_crons_opens_the_modal(context, deps, respond, client):
    deps.services.repo.first_time.return_value = True
    _run(context, respond, client, "rds schedule portal", trigger="T9")
    view = client.views_open.call_args.kwargs["view"]
    assert client.views_open.call_args.kwargs["trigger_id"] == "T9"
    assert view["callback_id"] == "rds_schedule_modal"
    assert '"db": "portal"' in view["private_metadata"] and '"channel": "C1"' in view["private_metadata"]
    assert view["blocks"] and view["title"]["text"] == "RDS schedule"
    deps.requests.submit.assert_not_called()


def test_a_builtin_is_handed_the_command(context, deps, respond, client):
    deps.services.repo.first_time.return_value = True
    handle = Mock()
    deps.add_builtin(Builtin("report", (), handle))
    _run(context, respond, client, "report list")
    handle.assert_called_once_with(deps, Command("report", "en", args=("list",)), _command("report list"), respond)
    deps.requests.submit.assert_not_called()


def test_register_wires_the_configured_slash_command(deps, settings):
    settings.slash_command = "/chatops"
    app = Mock(name="app")
    commands.register(app, deps)
    app.command.assert_called_once_with("/chatops")
    app.command.return_value.assert_called_once_with(ack=commands.ack_ops, lazy=[commands.run_ops])
