"""Free text: messages in request channels, @mentions, replies in the bot's threads, DMs when enabled.

Who may ask where is the global middleware's (``bot.slack.guard``): mentions outside request
channels and direct messages while ``ALLOW_DIRECT_MESSAGES`` is off never reach these listeners.
``subteam_members_changed`` / ``subteam_updated`` drop the cached approver group membership, so a
person removed from the group stops being an approver at once.

All go through one parser (``bot.parsing.parse``). Each Slack message is handled once: the
key ``msg:CHANNEL:TS`` is recorded before any work, so Events API retries
(``X-Slack-Retry-Num``) and a message that arrives both as ``message`` and ``app_mention`` never
start a second diagnosis.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import App

from bot.services.commands import help_text
from bot.services.reading import parse
from bot.services.requests import Ask
from bot.slack.deps import Deps
from bot.slack.errors import reporting_errors
from bot.slack.jobs import ATTEMPT

log = logging.getLogger(__name__)
MENTION = re.compile(r"^\s*<@[A-Z0-9]+>\s*")


def handle(deps: Deps, event: dict[str, Any], *, mentioned: bool, client: Any, resume: bool = False) -> None:
    """Read one message and file it as a request (``resume``: a retried job; carry on its request)."""
    svc = deps.services
    if event.get("bot_id") or event.get("subtype") not in (None, "thread_broadcast"):
        return
    channel, ts = event.get("channel", ""), event.get("ts", "")
    thread_ts = event.get("thread_ts", "")
    is_dm = event.get("channel_type") == "im" and svc.settings.allow_direct_messages
    in_request_channel = (channel in svc.settings.request_channel_ids or is_dm) and not thread_ts
    known_thread = bool(thread_ts) and svc.repo.request_by_thread(channel, thread_ts) is not None
    if not (mentioned or in_request_channel or known_thread):
        return
    once = f"msg:{channel}:{ts}"  # the message and its app_mention are one delivery of one message
    text = MENTION.sub("", event.get("text") or "")
    parsed = parse(text)
    reply_ts = thread_ts or ts
    if parsed.intent == "help":
        if not svc.repo.first_time(once, svc.clock()):
            return
        client.chat_postMessage(
            channel=channel,
            thread_ts=reply_ts,
            text=help_text(parsed.language, svc.settings.slash_command, deps.builtin_usage()),
        )
        return
    intent = parsed.intent if parsed.confident else "other"  # unsure: "other" gets the choice buttons
    if intent == "other" and known_thread and not mentioned:
        return  # people talking in the thread
    entities = dict(parsed.entities)
    ask = Ask(
        user=event.get("user", ""),
        channel=channel,
        text=text,
        lang=parsed.language,
        intent=intent,
        entities=entities,
        aws_error=parsed.aws_error,
        image_pull=parsed.image_pull,
        thread_ts=reply_ts,
        cluster=entities.pop("cluster", ""),
        once_key=once,
        resume=resume,
    )
    deps.requests.submit(ask)


@reporting_errors
def on_message(event: dict[str, Any], client: Any, body: dict[str, Any], context: dict[str, Any]) -> None:
    handle(context["deps"], event, mentioned=False, client=client, resume=context.get(ATTEMPT, 1) > 1)


@reporting_errors
def on_mention(event: dict[str, Any], client: Any, body: dict[str, Any], context: dict[str, Any]) -> None:
    handle(context["deps"], event, mentioned=True, client=client, resume=context.get(ATTEMPT, 1) > 1)


def ack_event(ack: Any) -> None:
    ack()


def group_changed(ack: Any, event: dict[str, Any], context: dict[str, Any]) -> None:
    """Forget the approver group's cached members at once (in the ack: no Web API call, just a flag)."""
    deps = context["deps"]
    group = str(event.get("subteam_id") or (event.get("subteam") or {}).get("id") or "")
    if deps.services.approvers.invalidate(group):
        log.info("approver group changed: membership cache dropped", extra={"usergroup": group})
    ack()


def register(app: App, deps: Deps) -> None:
    app.event("message")(ack=ack_event, lazy=[on_message])
    app.event("app_mention")(ack=ack_event, lazy=[on_mention])
    app.event("subteam_members_changed")(group_changed)
    app.event("subteam_updated")(group_changed)
