"""The report callbacks of ``bot.slack.listeners.reports``: the Diagnose button and ``/ops report``."""

from __future__ import annotations

import functools
from types import SimpleNamespace
from unittest.mock import Mock

import pytest

from bot.services.commands import Command
from bot.services.requests import Ask
from bot.slack.listeners import reports


def _locale(client: Mock, locale: str) -> None:
    client.users_info.return_value = Mock(data={"user": {"locale": locale}})


def _click(value: str = "abc123", channel: str = "C5") -> dict:
    return {
        "type": "block_actions",
        "user": {"id": "U1"},
        "channel": {"id": channel},
        "actions": [{"action_id": f"report_diagnose-{value}", "value": value}],
    }


def test_the_ack_acks(ack):
    reports.ack_only(ack)
    ack.assert_called_once_with()


def test_diagnose_submits_the_request_the_report_item_carries(context, deps, client):
    cfg = SimpleNamespace(channel="C9", lang="ko")
    item = {"ask": {"intent": "pods", "entities": {"namespace": "cloudon"}}, "label": {"en": "pods in cloudon"}}
    deps.reports.find_item.return_value = (cfg, item)
    reports.diagnose(body=_click(), client=client, context=context)
    deps.reports.find_item.assert_called_once_with("abc123")
    deps.requests.submit.assert_called_once_with(
        Ask(
            user="U1",
            channel="C5",
            text="pods in cloudon",
            lang="ko",
            intent="pods",
            entities={"namespace": "cloudon"},
        )
    )
    client.chat_postEphemeral.assert_not_called()


def test_diagnose_from_a_message_without_a_channel_goes_to_the_reports_channel(context, deps, client):
    deps.reports.find_item.return_value = (SimpleNamespace(channel="C9", lang="en"), {"ask": {"intent": "pods"}})
    reports.diagnose(body=_click(channel=""), client=client, context=context)
    ask = deps.requests.submit.call_args.args[0]
    assert (ask.channel, ask.text, ask.entities) == ("C9", "", {})


def test_an_item_no_longer_known_is_told_in_the_clickers_language(context, deps, client):
    deps.reports.find_item.return_value = None
    _locale(client, "ko-KR")
    reports.diagnose(body=_click(), client=client, context=context)
    client.chat_postEphemeral.assert_called_once_with(
        channel="C5", user="U1", text="해당 보고서 항목을 찾을 수 없습니다. 보고서를 다시 실행하세요."
    )
    deps.requests.submit.assert_not_called()


# --- the ``report`` built-in ---------------------------------------------------------------------------
@pytest.fixture
def run_report(deps, client, respond):
    _locale(client, "en-US")

    def run(*args: str, user: str = "U1") -> str:
        command = {"user_id": user, "channel_id": "C1", "text": " ".join(("report", *args))}
        reports.report_command(client, deps, Command("report", args=tuple(args)), command, respond)
        respond.assert_called_once()
        assert respond.call_args.kwargs["response_type"] == "ephemeral"
        return respond.call_args.kwargs["text"]

    return run


def test_report_list_without_reports_says_how_to_add_one(deps, run_report):
    deps.reports.list.return_value = []
    assert run_report("list") == "No scheduled reports. Add one with `report add`."


def test_a_report_change_by_someone_not_an_approver_is_refused(deps, run_report):
    deps.services.approvers.is_approver.return_value = False
    deps.services.approvers.mention.return_value = "<!subteam^S1>"
    text = run_report("add", "health", "<#C0OPS|ops>", "0 9 * * 1-5")
    assert text == "🚫 Only approvers can change or run reports (<!subteam^S1>)."
    deps.services.approvers.is_approver.assert_called_once_with("U1")
    deps.reports.add.assert_not_called()


def test_report_add_by_an_approver_adds_it(deps, run_report):
    deps.services.approvers.is_approver.return_value = True
    deps.reports.add.return_value = SimpleNamespace(id=4, kind="health", channel="C0OPS", cron="0 9 * * 1-5", tz="UTC")
    text = run_report("add", "health", "<#C0OPS|ops>", "0", "9", "*", "*", "1-5")
    deps.reports.add.assert_called_once_with("health", "C0OPS", "0 9 * * 1-5", "", "U1", "en")
    assert text == "✅ Report #4 `health` will post to <#C0OPS> at `0 9 * * 1-5` (UTC)."


def test_an_unknown_sub_command_is_a_usage_error_in_the_persons_language(client, run_report):
    _locale(client, "ko-KR")
    assert run_report("frobnicate") == "⚠️ 알 수 없는 `report frobnicate`. add, list, remove, run 중 하나를 쓰세요."


def test_removing_a_report_that_is_not_there_says_so(deps, run_report):
    deps.services.approvers.is_approver.return_value = True
    deps.reports.remove.return_value = False
    assert run_report("remove", "#3") == "There is no report #3."
    deps.reports.remove.assert_called_once_with(3, "U1")


def test_running_a_report_with_nothing_new_posts_nothing(deps, run_report):
    deps.services.approvers.is_approver.return_value = True
    deps.reports.run.return_value = SimpleNamespace(posted=False)
    assert run_report("run", "3") == "Nothing changed since the last post, so nothing was posted."
    deps.reports.run.assert_called_once_with(3, "U1")


def test_register_adds_the_builtin_bound_to_the_apps_client_and_wires_the_button(deps):
    app = Mock(name="app")
    reports.register(app, deps)
    builtin = deps.builtins["report"]
    assert builtin.usage == reports.USAGE
    assert isinstance(builtin.handle, functools.partial)
    assert builtin.handle.func is reports.report_command and builtin.handle.args == (app.client,)
    (pattern,) = app.action.call_args.args
    assert pattern.match("report_diagnose-abc123") and not pattern.match("report_diagnose-xyz")
    app.action.return_value.assert_called_once_with(ack=reports.ack_only, lazy=[reports.diagnose])
