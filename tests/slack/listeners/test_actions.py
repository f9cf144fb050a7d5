"""The button callbacks of ``bot.slack.listeners.actions``, called directly with mocks."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from unittest.mock import Mock

from bot.domain import AuditKind, Msg
from bot.services.authz import Refusal
from bot.services.policy import Action
from bot.slack.listeners import actions
from bot.store.records import RequestRecord
from tests.slack.records import request_record


def _click(value: str, user: str = "U1", channel: str | None = "C1") -> dict:
    body = {"type": "block_actions", "user": {"id": user}, "actions": [{"action_id": "x", "value": value}]}
    if channel is not None:
        body["channel"] = {"id": channel}
    return body


def _request(deps, lang: str = "en", state: str = "asked", user: str = "U2") -> RequestRecord:
    req = request_record(
        id=7, user_id=user, channel="C1", thread_ts="1.1", status_ts="1.1", lang=lang, intent="other", state=state
    )
    deps.services.repo.get_request.return_value = req
    return req


def test_the_ack_only_acks(ack):
    actions.ack_only(ack)
    ack.assert_called_once_with()


def test_approve_hands_the_plan_id_and_clicker_to_the_plan_service_and_tells_the_outcome(deps, context, client):
    deps.plans.approve.return_value = SimpleNamespace(message=Msg("Approved.", "승인했습니다."))
    deps.services.repo.get_plan.return_value = SimpleNamespace(id=42, request_id=7)
    _request(deps, lang="ko")
    actions.approve(body=_click("42"), client=client, context=context)
    deps.plans.approve.assert_called_once_with(42, "U1", resume=False)
    deps.services.repo.get_plan.assert_called_once_with(42)
    client.chat_postEphemeral.assert_called_once_with(channel="C1", user="U1", text="승인했습니다.")


def test_approve_with_nothing_to_say_tells_nobody(deps, context, client):
    deps.plans.approve.return_value = SimpleNamespace(message=None)
    actions.approve(body=_click("42"), client=client, context=context)
    deps.plans.approve.assert_called_once_with(42, "U1", resume=False)
    client.chat_postEphemeral.assert_not_called()


def test_a_button_with_no_plan_id_reaches_the_service_as_none_and_is_told_in_english(deps, context, client):
    deps.plans.approve.return_value = SimpleNamespace(message=Msg("That plan does not exist.", "계획이 없습니다."))
    actions.approve(body=_click("not-a-number"), client=client, context=context)
    deps.plans.approve.assert_called_once_with(None, "U1", resume=False)
    deps.services.repo.get_plan.assert_not_called()
    client.chat_postEphemeral.assert_called_once_with(channel="C1", user="U1", text="That plan does not exist.")


def test_an_id_beyond_the_database_range_is_no_id(deps, context, client):
    deps.plans.approve.return_value = SimpleNamespace(message=None)
    actions.approve(body=_click(str(2**63)), client=client, context=context)
    deps.plans.approve.assert_called_once_with(None, "U1", resume=False)


def test_reject_goes_to_the_plan_service(deps, context, client):
    deps.plans.reject.return_value = SimpleNamespace(message=Msg("Rejected.", "거절했습니다."))
    deps.services.repo.get_plan.return_value = None
    actions.reject(body=_click("42", user="U9"), client=client, context=context)
    deps.plans.reject.assert_called_once_with(42, "U9")
    client.chat_postEphemeral.assert_called_once_with(channel="C1", user="U9", text="Rejected.")


def test_revert_from_app_home_is_told_in_the_clickers_dm(deps, context, client):
    deps.plans.propose_revert.return_value = SimpleNamespace(message=Msg("Revert proposed.", "되돌리기 제안."))
    deps.services.repo.get_plan.return_value = None
    actions.revert(body=_click("42", channel=None), client=client, context=context)
    deps.plans.propose_revert.assert_called_once_with(42, "U1")
    client.chat_postEphemeral.assert_called_once_with(channel="U1", user="U1", text="Revert proposed.")


def test_a_failing_plan_service_is_reported_to_the_clicker_with_a_reference(deps, context, client):
    deps.plans.approve.side_effect = RuntimeError("database went away")
    assert actions.approve(body=_click("42"), client=client, context=context) is None
    (call,) = client.chat_postEphemeral.call_args_list
    assert call.kwargs["channel"] == "C1" and call.kwargs["user"] == "U1"
    assert "RuntimeError" in call.kwargs["text"] and "ref " in call.kwargs["text"]


def test_errors_are_reported_when_the_callback_is_called_with_positional_arguments(deps, context, client):
    deps.plans.reject.side_effect = RuntimeError("boom")
    actions.reject(_click("42"), client, context)
    client.chat_postEphemeral.assert_called_once()
    assert client.chat_postEphemeral.call_args.kwargs["user"] == "U1"


def test_rerun_of_a_request_that_is_gone_says_so(deps, context, client):
    deps.services.repo.get_request.return_value = None
    actions.rerun(body=_click("7"), client=client, context=context)
    client.chat_postEphemeral.assert_called_once_with(channel="C1", user="U1", text="That request no longer exists.")
    deps.requests.diagnose.assert_not_called()


def test_rerun_diagnoses_again_when_allowed(deps, context, client):
    req = _request(deps)
    deps.authz.who_refusal.return_value = None
    actions.rerun(body=_click("7", user="U2"), client=client, context=context)
    deps.authz.who_refusal.assert_called_once_with(Action.RERUN, "U2", "U2", fresh=True)
    deps.services.repo.update_request.assert_called_once_with(7, state="diagnosing")
    deps.requests.diagnose.assert_called_once_with(req)
    client.chat_postEphemeral.assert_not_called()


def test_rerun_by_someone_else_is_refused_audited_and_told_in_the_requests_language(deps, context, client):
    req = _request(deps, lang="ko")
    deps.authz.who_refusal.return_value = Refusal("who", Msg("Only the requester.", "요청자만 가능합니다."))
    actions.rerun(body=_click("7", user="U3"), client=client, context=context)
    deps.services.audit.assert_called_once_with(
        AuditKind.REFUSED, "U3", f"{Action.RERUN} refused (who): Only the requester.", req
    )
    client.chat_postEphemeral.assert_called_once_with(channel="C1", user="U3", text="🚫 요청자만 가능합니다.")
    deps.services.repo.update_request.assert_not_called()
    deps.requests.diagnose.assert_not_called()


def test_choosing_an_intent_records_it_and_diagnoses(deps, context, client):
    req = _request(deps)
    deps.authz.who_refusal.return_value = None
    actions.choose_intent(body=_click("7:pods", user="U2"), client=client, context=context)
    deps.services.repo.get_request.assert_called_once_with(7)
    deps.services.repo.update_request.assert_called_once_with(7, intent="pods", state="diagnosing")
    deps.requests.diagnose.assert_called_once_with(replace(req, intent="pods"))


def test_a_question_already_answered_is_not_answered_twice(deps, context, client):
    _request(deps, state="open")
    actions.choose_intent(body=_click("7:pods"), client=client, context=context)
    client.chat_postEphemeral.assert_called_once_with(
        channel="C1", user="U1", text="That question was already answered."
    )
    deps.services.repo.update_request.assert_not_called()


def test_a_choice_refused_on_a_second_look_is_not_recorded(deps, context, client):
    _request(deps)
    deps.authz.who_refusal.return_value = Refusal("who", Msg("Only the requester.", "요청자만 가능합니다."))
    actions.choose_intent(body=_click("7:pods", user="U3"), client=client, context=context)
    client.chat_postEphemeral.assert_called_once_with(channel="C1", user="U3", text="🚫 Only the requester.")
    deps.services.repo.update_request.assert_not_called()
    deps.requests.diagnose.assert_not_called()


def test_register_wires_every_button_to_its_callback(deps):
    app = Mock(name="app")
    actions.register(app, deps)
    wired = [c.kwargs for c in app.action.return_value.call_args_list]
    assert [w["lazy"] for w in wired] == [
        [actions.approve],
        [actions.reject],
        [actions.revert],
        [actions.rerun],
        [actions.choose_intent],
    ]
    assert all(w["ack"] is actions.ack_only for w in wired)
