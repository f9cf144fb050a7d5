"""``SlackThread``: the ``ThreadPort`` services use, implemented with the Slack Web API.

The first message of a request's thread carries its status and is edited on every change;
each change of state is also one reply. Plan messages are updated in place (``chat.update``).
What a message cannot hold (a long diagnosis, a plan's steps and diffs) is summarised in it and
attached to the thread in full as a text file. Every text sent, the ``text`` fallbacks included,
goes through ``bot.mrkdwn``: a ``Msg`` is escaped, only ``Mrkdwn`` is sent as markup.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import Diagnosis, Msg
from bot.mrkdwn import Mrkdwn, as_mrkdwn, clip
from bot.services.approvers import Approvers
from bot.services.ports import Posted
from bot.slack import attachments, posting, render
from bot.store.records import PlanRecord, RequestRecord

log = logging.getLogger(__name__)

PLAN_BLOCK = re.compile(r"plan-(\d+)")


OPENED_EVENT = "chatops_request_opened"  # the status message's metadata event type
LINKED_EVENT = "chatops_request_linked"  # a "asked about this too" reply's metadata event type
HISTORY_PAGES = 3  # of 200 messages: how far back ``find_opened`` looks in a channel


def _marked(message: dict[str, Any], event_type: str) -> dict[str, Any] | None:
    """The metadata payload of one of the bot's own messages marked ``event_type``, else None."""
    metadata = message.get("metadata") or {}
    if not message.get("bot_id") or metadata.get("event_type") != event_type:
        return None
    return metadata.get("event_payload") or {}


def findings_block_id(req: RequestRecord) -> str:
    return f"diagnosis-{req.id}"


EVENT_TEXT = {
    "applying": ("⏳", "decide_none"),
    "applied": ("✅", "revert"),
    "failed": ("❌", "none"),
    "stale": ("⚠️", "rerun"),
    "rejected": ("🚫", "none"),
    "expired": ("⌛", "none"),
    "reverted": ("↩️", "none"),
    "partially_approved": ("🟡", "decide"),
}


class SlackThread:
    def __init__(self, client: WebClient, approvers: Approvers):
        self.client = client
        self.approvers = approvers

    def _post(self, lang: str = "en", **kwargs: Any) -> dict[str, Any]:
        """chat.postMessage; Slack refusing the channel raises ``ChannelUnavailable`` (in ``lang``)."""
        return posting.guarded(kwargs["channel"], lang, lambda: self.client.chat_postMessage(**kwargs).data)

    def open(self, req: RequestRecord, reuse_thread_ts: str = "") -> tuple[str, str]:
        """Post the request's status message: in ``reuse_thread_ts`` when the request came from a
        thread, else as a new message the thread hangs from. It carries the request's id as message
        metadata, so a retried attempt finds it (``find_opened``) instead of opening a second thread."""
        text = render.status_text(req, "diagnosing")
        metadata = {"event_type": OPENED_EVENT, "event_payload": {"request_id": req.id}}
        if reuse_thread_ts:
            resp = self._post(req.lang, channel=req.channel, thread_ts=reuse_thread_ts, text=text, metadata=metadata)
            return reuse_thread_ts, resp["ts"]
        resp = self._post(req.lang, channel=req.channel, text=text, metadata=metadata)
        return resp["ts"], resp["ts"]

    def find_opened(self, req: RequestRecord, reuse_thread_ts: str = "") -> tuple[str, str] | None:
        """The status message an earlier attempt posted for ``req`` before it could record it, as
        ``open`` returns it; None when there is none or Slack will not say (then a new one is posted).

        Looked for among the replies of ``reuse_thread_ts``, else among the channel's latest
        ``HISTORY_PAGES`` pages of top-level messages (``conversations.history``, newest first, with
        message metadata): a retry comes within minutes of the first attempt.
        """
        if reuse_thread_ts:
            pages = self._replies(req.channel, reuse_thread_ts)
        else:
            pages = self._pages(self.client.conversations_history, channel=req.channel, include_all_metadata=True)
        found = self._first_marked(pages, OPENED_EVENT, lambda payload: payload.get("request_id") == req.id)
        return None if found is None else ((reuse_thread_ts or found), found)

    def reply_linked(self, req: RequestRecord, text: Msg, delivery: str) -> None:
        """``reply``, marked with the delivery that was linked to ``req`` (see ``linked``)."""
        self.reply(
            req, text, {"event_type": LINKED_EVENT, "event_payload": {"request_id": req.id, "delivery": delivery}}
        )

    def linked(self, req: RequestRecord, delivery: str) -> bool:
        """Whether ``req``'s thread already says that ``delivery`` was linked to it (False when Slack
        will not say: the reply is posted again rather than never)."""
        pages = self._replies(req.channel, req.thread_ts)
        return self._first_marked(pages, LINKED_EVENT, lambda payload: payload.get("delivery") == delivery) is not None

    def _replies(self, channel: str, thread_ts: str) -> Iterator[dict[str, Any]]:
        return self._pages(self.client.conversations_replies, channel=channel, ts=thread_ts, include_all_metadata=True)

    @staticmethod
    def _first_marked(
        pages: Iterator[dict[str, Any]], event_type: str, matches: Callable[[dict[str, Any]], bool]
    ) -> str | None:
        """The ts of the first of the bot's messages marked ``event_type`` whose payload ``matches``,
        within ``HISTORY_PAGES`` pages; None when there is none or Slack refuses to say."""
        try:
            for page in itertools.islice(pages, HISTORY_PAGES):
                for message in page.get("messages") or []:
                    payload = _marked(message, event_type)
                    if payload is not None and matches(payload):
                        return str(message["ts"])
        except SlackApiError as exc:
            log.warning("could not read the channel or thread", extra={"error": exc.response.get("error")})
        return None

    @staticmethod
    def _pages(method: Callable[..., Any], **args: Any) -> Iterator[dict[str, Any]]:
        """Every page of a cursor-paginated Web API method (``response_metadata.next_cursor``)."""
        cursor = None
        while True:
            page = method(limit=200, cursor=cursor, **args).data
            yield page
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return

    def status(self, req: RequestRecord, state: str, detail: Msg | None = None) -> None:
        if not req.status_ts:
            return
        try:
            self.client.chat_update(channel=req.channel, ts=req.status_ts, text=render.status_text(req, state, detail))
        except SlackApiError as exc:
            log.warning("status update failed", extra={"request_id": req.id, "error": exc.response.get("error")})

    def diagnosis(self, req: RequestRecord, diagnosis: Diagnosis, plans: Sequence[PlanRecord]) -> list[str]:
        """The findings, then one message per plan; what a message cannot hold is attached as a file."""
        headline = clip(as_mrkdwn(diagnosis.headline, req.lang), 3000)
        blocks = render.diagnosis_blocks(req, diagnosis)
        # the findings message says whose it is, so a retried attempt can tell it was posted (``posted``)
        blocks = [{**blocks[0], "block_id": findings_block_id(req)}, *blocks[1:]] if blocks else blocks
        self._post(req.lang, channel=req.channel, thread_ts=req.thread_ts, text=headline, blocks=blocks)
        full = attachments.diagnosis_file(req, diagnosis)
        if full is not None:
            self._upload(req, full)
        for f in diagnosis.findings:
            for file in (f.data or {}).get("files", []):
                self._upload(req, file)
        return [self.plan_message(req, plan) for plan in plans]

    def plan_message(self, req: RequestRecord, plan: PlanRecord) -> str:
        resp = self._post(
            req.lang,
            channel=req.channel,
            thread_ts=req.thread_ts,
            text=render.plan_fallback_text(plan, req.lang),
            blocks=render.plan_blocks(plan, req.lang, self.approvers.mention()),
        )
        steps = attachments.plan_file(plan, req.lang)
        if steps is not None:
            self._upload(req, steps)
        return resp["ts"]

    def posted(self, req: RequestRecord) -> Posted:
        """The bot's findings and plan messages in the thread (``conversations.replies``, every page).

        A plan message is known by its block id ``plan-N`` (``render.plan_blocks``), the findings by
        ``findings_block_id``; only the bot's own messages count. When Slack will not say (a missing
        ``channels:history`` scope, a rate limit), nothing counts as posted: the caller diagnoses again,
        which may repeat the findings but never leaves the request unanswered.
        """
        findings, plans = False, {}
        try:
            for page in self._pages(self.client.conversations_replies, channel=req.channel, ts=req.thread_ts):
                for message in page.get("messages") or []:
                    if not message.get("bot_id"):
                        continue
                    for block in message.get("blocks") or []:
                        block_id = str(block.get("block_id") or "")
                        if block_id == findings_block_id(req):
                            findings = True
                        elif (plan_id := PLAN_BLOCK.fullmatch(block_id)) is not None:
                            plans[int(plan_id.group(1))] = str(message.get("ts", ""))
        except SlackApiError as exc:  # refused (scope, rate limit): unknown, which the caller treats as not posted
            log.warning("could not read the request's thread", extra={"error": exc.response.get("error")})
            return Posted(findings=False, plans={})
        return Posted(findings, plans)

    def _upload(self, req: RequestRecord, file: dict[str, Any]) -> None:
        """A file in the request's thread (files.uploadV2: getUploadURLExternal + completeUploadExternal)."""
        try:
            posting.guarded(
                req.channel,
                req.lang,
                lambda: self.client.files_upload_v2(
                    channel=req.channel,
                    thread_ts=req.thread_ts,
                    filename=file["filename"],
                    content=file["content"],
                    title=file.get("title", file["filename"]),
                ),
            )
        except SlackApiError as exc:
            log.warning("file upload failed", extra={"request_id": req.id, "error": exc.response.get("error")})

    def plan_changed(
        self, req: RequestRecord, plan: PlanRecord, event: str, detail: Msg, extra: dict[str, Any] | None = None
    ) -> None:
        extra = extra or {}
        icon, buttons = EVENT_TEXT.get(event, ("•", "none"))
        if event == "applied" and extra.get("verified") is False:
            icon = "⚠️"
        if event == "applied" and not extra.get("reversible"):
            buttons = "none"
        if event == "stale" or extra.get("rerun"):
            buttons = "rerun"
        note = Mrkdwn(f"{icon} {as_mrkdwn(detail, 'en')}", f"{icon} {as_mrkdwn(detail, 'ko')}")
        if plan.message_ts:
            blocks = render.plan_blocks(plan, req.lang, self.approvers.mention(), note, buttons)
            try:
                self.client.chat_update(
                    channel=req.channel,
                    ts=plan.message_ts,
                    blocks=blocks,
                    text=render.plan_fallback_text(plan, req.lang),
                )
            except SlackApiError as exc:
                log.warning("plan update failed", extra={"plan_id": plan.id, "error": exc.response.get("error")})
        self._post(
            req.lang,
            channel=req.channel,
            thread_ts=req.thread_ts,
            text=f"{icon} #{plan.id} {as_mrkdwn(detail, req.lang)}",
        )

    def reply(self, req: RequestRecord, text: Msg, metadata: dict[str, Any] | None = None) -> None:
        marked = {"metadata": metadata} if metadata else {}
        self._post(
            req.lang, channel=req.channel, thread_ts=req.thread_ts or None, text=as_mrkdwn(text, req.lang), **marked
        )

    def ephemeral(self, channel: str, user: str, text: str) -> None:
        """``text`` is the bot's own mrkdwn (a refusal, a link to a thread): callers escape any value in it."""
        try:
            self.client.chat_postEphemeral(channel=channel, user=user, text=text)
        except SlackApiError as exc:
            log.warning("ephemeral failed", extra={"error": exc.response.get("error")})

    def ask_intent(self, req: RequestRecord, choices: Sequence[tuple[str, Msg]]) -> None:
        self._post(
            req.lang,
            channel=req.channel,
            thread_ts=req.thread_ts,
            text="?",
            blocks=render.intent_choice_blocks(req.id, req.lang, choices),
        )
