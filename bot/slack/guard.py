"""The one global middleware that enforces ``bot.services.policy.POLICY`` on every request.

It runs before any listener: it works out what the request is (``classify``: which action, who,
from which workspace and channel, about which plan or request), asks the ``Authorizer``, and on a
refusal audits it (``AuditKind.REFUSED`` with actor, action and reason) and answers Slack itself,
so no listener runs: nothing is diagnosed, no cluster or AWS state is read, no request row is made.
A refused slash command is told in the ack (ephemeral); anything else is told with
``chat.postEphemeral`` from a small thread pool, after the ack, so no Web API call that could sleep
through a 429 sits inside Slack's 3 seconds. Replayed lazy halves (``request.lazy_only``) were
decided when they were acked and pass.

Where the payload names the workspace of the person (Slack Connect): slash commands carry
``team_id`` / ``enterprise_id``; interaction payloads ``user.team_id``, ``team.id`` and
``enterprise.id`` (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload);
Events API envelopes carry ``team_id`` and ``authorizations`` for the installation, while events in
shared channels name the sender's workspace in ``user_team`` / ``source_team`` (and ``team``) and the
envelope says ``is_ext_shared_channel`` (https://docs.slack.dev/apis/slack-connect, "what to
expect"; https://docs.slack.dev/apis/events-api). The payload's word is never enough to allow:
``users.info`` (``team_id``, ``is_restricted``, ``is_ultra_restricted``) and ``conversations.info``
(``is_ext_shared``) are asked too, cached briefly.
"""

from __future__ import annotations

import json
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk.errors import SlackApiError

from bot.cloud.metrics import REQUESTS
from bot.domain import AuditKind, Msg
from bot.errors import UsageError
from bot.parsing.text import has_hangul
from bot.services.authz import Actor, Authorizer, Refusal
from bot.services.commands import parse_command
from bot.services.plans import NO_PLAN, refusal_reason
from bot.services.policy import Action
from bot.services.reading import parse
from bot.slack.deps import Deps
from bot.store.records import PlanRecord, RequestRecord
from handlers import registry

log = logging.getLogger(__name__)

MENTION = re.compile(r"^\s*<@[A-Z0-9]+>\s*")
MAX_ID = 2**63 - 1
# refusals of these count as requests that ended ``refused`` (chatops_requests_total); a refused button is not a request
REQUEST_ACTIONS = (Action.ASK, Action.CLUSTER_OVERRIDE)
PLAN_ACTIONS = {"approve_plan": Action.APPROVE, "reject_plan": Action.REJECT, "revert_plan": Action.REVERT}


@dataclass
class Ask:
    """What one request asks to do, and of whom."""

    action: Action
    actor: Actor
    requester: str = ""
    cluster: str = ""
    plan: PlanRecord | None = None
    request: RequestRecord | None = None
    missing: bool = False  # a button naming a plan or request that does not exist
    slash: bool = False
    once_key: str = ""  # tell and audit a refusal once per Slack message (message + app_mention, retries)
    tell_channel: str = ""


def _lang(text: str) -> str:
    return "ko" if has_hangul(text[:500]) else ""


def _id(value: Any) -> int | None:
    try:
        number = int(str(value)[:20])
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


def _teams(*values: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(v) for v in values if v))


class Guard:
    def __init__(self, deps: Deps, authz: Authorizer, client: Any):
        self.deps, self.authz, self.client = deps, authz, client
        self.svc = deps.services
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="chatops-refusals")
        self._command_names = frozenset(spec.name for _diagnoser, spec in registry.commands())

    # --- what is being asked ------------------------------------------------------------------
    def classify(self, body: dict[str, Any]) -> Ask | None:
        """The action a request stands for, or None for what needs no person's authority."""
        if "command" in body and "user_id" in body:
            return self._slash(body)
        kind = body.get("type")
        if kind == "event_callback":
            return self._event(body)
        if kind == "block_actions":
            return self._button(body)
        if kind in ("view_submission", "view_closed", "shortcut", "message_action", "block_suggestion"):
            return self._view(body)
        return None

    def _slash(self, body: dict[str, Any]) -> Ask:
        text, channel = str(body.get("text") or ""), str(body.get("channel_id") or "")
        actor = Actor(
            user=str(body.get("user_id") or ""),
            teams=_teams(body.get("team_id"), body.get("user_team_id")),
            enterprise_id=str(body.get("enterprise_id") or ""),
            channel=channel,
            is_dm=channel.startswith("D") or body.get("channel_name") == "directmessage",
            lang=_lang(text),
        )
        action, cluster = Action.ASK, ""
        try:
            cmd = parse_command(text, frozenset(self.deps.builtins))
        except UsageError:
            cmd = None  # the listener explains the usage, once the request may be made here at all
        if cmd is not None:
            # Free text speaks its language; a keyword command (`pods -A`, `report add ...`) is no language:
            # Korean if it holds Hangul, else the person's Slack locale.
            words = text.split()
            keyword = cmd.kind != "request" or (bool(words) and words[0].lower() in self._command_names)
            actor = Actor(**{**actor.__dict__, "lang": actor.lang if keyword else cmd.lang})
            if cmd.kind == "help":
                action = Action.HELP
            elif cmd.kind == "audit":
                action = Action.AUDIT
            elif cmd.kind == "report":
                verb = cmd.args[0].lower() if cmd.args else "list"
                action = Action.REPORT_LIST if verb == "list" else Action.REPORT_CHANGE
            else:
                cluster = cmd.cluster
        return Ask(action, actor, cluster=cluster, slash=True)

    def _event(self, body: dict[str, Any]) -> Ask | None:
        event = body.get("event") or {}
        kind = event.get("type")
        user = str(event.get("user") or "")
        if kind not in ("message", "app_mention", "app_home_opened") or not user:
            return None  # subteam changes and the like: Slack's own news, no person's request
        teams = _teams(body.get("team_id"), event.get("user_team"), event.get("source_team"), event.get("team"))
        enterprise = str(body.get("enterprise_id") or "")
        if kind == "app_home_opened":
            return Ask(Action.HOME, Actor(user=user, teams=teams, enterprise_id=enterprise), tell_channel=user)
        if event.get("bot_id") or event.get("subtype") not in (None, "thread_broadcast"):
            return None  # not a person's message: the listener ignores it
        channel, text = str(event.get("channel") or ""), str(event.get("text") or "")
        is_dm = event.get("channel_type") == "im" or channel.startswith("D")
        mentioned = kind == "app_mention"
        settings = self.svc.settings
        if not (mentioned or is_dm or channel in settings.request_channel_ids):
            return Ask(Action.OTHER, Actor(user=user), missing=True)  # people talking elsewhere: not for us
        text = MENTION.sub("", text)
        parsed = parse(text)
        if event.get("thread_ts") and not mentioned and parsed.intent == "other":
            return None  # people talking in a thread: the listener lets it be
        actor = Actor(
            user=user,
            teams=teams,
            enterprise_id=enterprise,
            channel=channel,
            is_dm=is_dm,
            ext_shared=True if body.get("is_ext_shared_channel") else None,
            lang=str(parsed.language) if text.strip() else "",
        )
        return Ask(
            Action.ASK,
            actor,
            cluster=str(parsed.entities.get("cluster", "")),
            once_key=f"refused:{channel}:{event.get('ts', '')}",
            tell_channel=channel,
        )

    def _interaction_actor(self, body: dict[str, Any], channel: str) -> Actor:
        user = body.get("user") or {}
        return Actor(
            user=str(user.get("id") or ""),
            teams=_teams(
                (body.get("team") or {}).get("id"), user.get("team_id"), (body.get("view") or {}).get("team_id")
            ),
            enterprise_id=str((body.get("enterprise") or {}).get("id") or ""),
            channel=channel,
            is_dm=channel.startswith("D"),
        )

    def _button(self, body: dict[str, Any]) -> Ask:
        channel = str((body.get("channel") or {}).get("id") or "")
        actor = self._interaction_actor(body, channel)
        action = (body.get("actions") or [{}])[0] or {}
        action_id, value = str(action.get("action_id") or ""), str(action.get("value") or "")
        base = action_id.rsplit("-", 1)[0] if re.search(r"-\d+$", action_id) else action_id
        repo = self.svc.repo
        tell = channel or actor.user
        if base in PLAN_ACTIONS:
            plan_id = _id(value)
            plan = repo.get_plan(plan_id) if plan_id is not None else None
            return Ask(
                PLAN_ACTIONS[base],
                actor,
                requester=plan.requested_by if plan else "",
                plan=plan,
                missing=plan is None,
                tell_channel=tell,
            )
        if action_id == "rerun_request" or action_id.startswith("choose_intent_"):
            request_id = _id(value.partition(":")[0])
            req = repo.get_request(request_id) if request_id is not None else None
            kind = Action.RERUN if action_id == "rerun_request" else Action.CHOOSE_INTENT
            return Ask(kind, actor, requester=req.user_id if req else "", request=req, tell_channel=tell)
        if action_id.startswith("report_diagnose"):
            return Ask(Action.REPORT_DIAGNOSE, actor, tell_channel=tell)
        return Ask(Action.OTHER, actor, tell_channel=tell)

    def _view(self, body: dict[str, Any]) -> Ask:
        view = body.get("view") or {}
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
        except ValueError:
            meta = {}
        channel = str(meta.get("channel") or "") if isinstance(meta, dict) else ""
        actor = self._interaction_actor(body, channel)
        if body.get("type") == "view_submission" and registry.form_named(str(view.get("callback_id") or "")):
            lang = str(meta.get("lang") or "") if isinstance(meta, dict) else ""
            actor = Actor(**{**actor.__dict__, "lang": lang if lang == "ko" else ""})
            return Ask(Action.FORM, actor, tell_channel=channel or actor.user)
        return Ask(Action.OTHER, actor, tell_channel=actor.user)

    # --- deciding ------------------------------------------------------------------------------
    def decide(self, ask: Ask) -> Refusal | None:
        if ask.action in (Action.APPROVE, Action.REJECT, Action.REVERT):
            refusal = self.authz.member_refusal(ask.actor)
            if refusal is not None:
                return refusal
            reason = refusal_reason(self.svc, ask.plan, ask.actor.user, ask.action, authz=self.authz)
            return None if reason is None else Refusal("missing" if ask.plan is None else "who", reason)
        if ask.action in (Action.RERUN, Action.CHOOSE_INTENT) and ask.request is None:
            refusal = self.authz.member_refusal(ask.actor)
            return refusal or Refusal("missing", Msg("That request no longer exists.", "해당 요청이 없습니다."))
        return self.authz.check(ask.action, ask.actor, requester=ask.requester, cluster=ask.cluster)

    def refuse(self, ask: Ask, refusal: Refusal) -> BoltResponse:
        svc = self.svc
        req = ask.request
        if req is None and ask.plan is not None:
            req = svc.repo.get_request(ask.plan.request_id)
        # the request's language where there is one (a button in its thread), else the text's, else the locale
        lang = ask.actor.lang or (req.lang if req is not None else "") or self.authz.lang_of(ask.actor)
        text = f"🚫 {refusal.message(lang)}"
        if not ask.once_key or svc.repo.first_time(ask.once_key, svc.clock()):
            if ask.action in REQUEST_ACTIONS:
                REQUESTS.labels("refused").inc()
            svc.audit(
                AuditKind.REFUSED,
                ask.actor.user or "unknown",
                f"{ask.action} refused ({refusal.code}): {refusal.message.en}",
                req,
                ask.plan,
                after={
                    "action": str(ask.action),
                    "reason": refusal.code,
                    "channel": ask.actor.channel,
                    "teams": list(ask.actor.teams),
                    "cluster": ask.cluster,
                },
            )
            if ask.slash:
                return BoltResponse(
                    status=200,
                    body=json.dumps({"response_type": "ephemeral", "text": text}),
                    headers={"content-type": "application/json;charset=utf-8"},
                )
            self._pool.submit(self._tell, ask.tell_channel or ask.actor.channel or ask.actor.user, ask.actor.user, text)
        return BoltResponse(status=200, body="")

    def _tell(self, channel: str, user: str, text: str) -> None:
        try:
            self.client.chat_postEphemeral(channel=channel, user=user, text=text)
        except SlackApiError as exc:
            log.warning("could not tell a refusal", extra={"error": exc.response.get("error"), "user": user})
        except Exception:
            log.exception("could not tell a refusal")

    def __call__(self, body: dict[str, Any], request: Any, next: Any) -> BoltResponse | None:  # noqa: A002
        if request.lazy_only:  # a lazy half replayed in a worker: decided (and told) when it was acked
            return next()
        ask = self.classify(body)
        if ask is None:
            return next()
        if ask.action == Action.OTHER and ask.missing:
            return BoltResponse(status=200, body="")  # a message elsewhere: acked, not a request
        refusal = self.decide(ask)
        if refusal is None:
            return next()
        return self.refuse(ask, refusal)


def install(app: App, deps: Deps, authz: Authorizer) -> Guard:
    """Register the guard as the app's global middleware (before every listener)."""
    guard = Guard(deps, authz, app.client)

    def authorize(body: dict[str, Any], request: Any, next: Any) -> BoltResponse | None:  # noqa: A002
        return guard(body, request, next)

    app.use(authorize)
    return guard


__all__ = ["NO_PLAN", "Guard", "install"]
