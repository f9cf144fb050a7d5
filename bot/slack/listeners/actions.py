"""Buttons: approve, reject, revert, re-run, and choosing an intent.

Buttons carry only an id; the server holds the plan. Authorisation is the global middleware's
(``bot.slack.guard``, enforcing ``bot.services.policy.POLICY``) when the click arrives, and is checked
again at the moment of decision: in ``PlanService`` for plans, here for re-run and intent choice.
Refusals are ephemeral and audited.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot.domain import AuditKind, Msg
from bot.services.policy import Action
from bot.slack.deps import Deps
from bot.slack.errors import reporting_errors
from bot.slack.jobs import ATTEMPT
from bot.store.records import PlanRecord, RequestRecord

log = logging.getLogger(__name__)


MAX_ID = 2**63 - 1


def _plan_id(body: dict[str, Any]) -> int | None:
    """The plan (or request) id a button carries, or None for anything that is not one."""
    try:
        value = int(str(body["actions"][0]["value"])[:20])
    except (KeyError, IndexError, ValueError, TypeError):
        return None
    return value if 0 < value <= MAX_ID else None


def _lang_of(deps: Deps, plan_id: int | None) -> str:
    return _lang_of_plan(deps, deps.services.repo.get_plan(plan_id) if plan_id else None)


def _lang_of_plan(deps: Deps, plan: PlanRecord | None) -> str:
    """The language of the request a plan belongs to ('en' when there is none)."""
    req = deps.services.repo.get_request(plan.request_id) if plan else None
    return req.lang if req else "en"


def _ephemeral(client: Any, body: dict[str, Any], text: str) -> None:
    """Tell the clicker only. App Home buttons have no channel: send it to their DM with the bot."""
    user = (body.get("user") or {}).get("id", "")
    channel = (body.get("channel") or {}).get("id", "") or user
    try:
        client.chat_postEphemeral(channel=channel, user=user, text=text)
    except SlackApiError as exc:
        log.warning("could not tell the clicker", extra={"error": exc.response.get("error"), "user": user})


def ack_only(ack: Any) -> None:
    ack()


def _tell(deps: Deps, body: dict[str, Any], client: Any, message: Msg | None, plan_id: int | None) -> None:
    if message is not None:
        _ephemeral(client, body, message(_lang_of(deps, plan_id)))


def _may(deps: Deps, body: dict[str, Any], client: Any, action: Action, req: RequestRecord) -> bool:
    """Re-run and intent choice, checked again as they happen: the requester or an approver."""
    user = (body.get("user") or {}).get("id", "")
    refusal = deps.authorizer.who_refusal(action, user, req.user_id, fresh=True)
    if refusal is None:
        return True
    deps.services.audit(AuditKind.REFUSED, user, f"{action} refused ({refusal.code}): {refusal.message.en}", req)
    _ephemeral(client, body, f"🚫 {refusal.message(req.lang)}")
    return False


@reporting_errors
def approve(body: dict[str, Any], client: Any, context: dict[str, Any]) -> None:
    deps = context["deps"]
    plan_id = _plan_id(body)
    outcome = deps.plans.approve(plan_id, body["user"]["id"], resume=context.get(ATTEMPT, 1) > 1)
    _tell(deps, body, client, outcome.message, plan_id)


@reporting_errors
def reject(body: dict[str, Any], client: Any, context: dict[str, Any]) -> None:
    deps = context["deps"]
    plan_id = _plan_id(body)
    outcome = deps.plans.reject(plan_id, body["user"]["id"])
    _tell(deps, body, client, outcome.message, plan_id)


@reporting_errors
def revert(body: dict[str, Any], client: Any, context: dict[str, Any]) -> None:
    deps = context["deps"]
    plan_id = _plan_id(body)
    outcome = deps.plans.propose_revert(plan_id, body["user"]["id"])
    _tell(deps, body, client, outcome.message, plan_id)


@reporting_errors
def rerun(body: dict[str, Any], client: Any, context: dict[str, Any]) -> None:
    deps = context["deps"]
    svc = deps.services
    req = svc.repo.get_request(_plan_id(body) or 0)
    if req is None:
        _tell(deps, body, client, Msg("That request no longer exists.", "해당 요청이 없습니다."), None)
        return
    if not _may(deps, body, client, Action.RERUN, req):
        return
    svc.repo.update_request(req.id, state="diagnosing")
    deps.requests.diagnose(req)


@reporting_errors
def choose_intent(body: dict[str, Any], client: Any, context: dict[str, Any]) -> None:
    deps = context["deps"]
    svc = deps.services
    value = body["actions"][0].get("value", "")
    request_id, _, intent = value.partition(":")
    req = svc.repo.get_request(int(request_id)) if request_id.isdigit() else None
    if req is None or req.state != "asked":
        _tell(deps, body, client, Msg("That question was already answered.", "이미 답한 질문입니다."), None)
        return
    if not _may(deps, body, client, Action.CHOOSE_INTENT, req):
        return
    svc.repo.update_request(req.id, intent=intent, state="diagnosing")
    req = replace(req, intent=intent)
    deps.requests.diagnose(req)


def register(app: App, deps: Deps) -> None:
    # Messages that list several plans (reports, App Home) suffix the action id with "-<plan id>",
    # because Slack wants action ids unique within a message; the value still carries the plan id.
    app.action(re.compile(r"^approve_plan(-\d+)?$"))(ack=ack_only, lazy=[approve])
    app.action(re.compile(r"^reject_plan(-\d+)?$"))(ack=ack_only, lazy=[reject])
    app.action("revert_plan")(ack=ack_only, lazy=[revert])
    app.action("rerun_request")(ack=ack_only, lazy=[rerun])
    app.action(re.compile(r"^choose_intent_"))(ack=ack_only, lazy=[choose_intent])
