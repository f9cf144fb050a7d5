"""Telling the person who asked that their job failed for good, and auditing it.

A job fails for good when every attempt has been used (each worker that ran it died, or it raised
each time). The person is told where they asked: in the request's thread when the job belongs to
one, otherwise in the thread of the message or button, otherwise privately (``posting.tell``). The
message says what could not be done and gives the job's reference, which the audit row and the log
carry too.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.respond import Respond

from bot.domain import AuditKind, Msg
from bot.korean import attach
from bot.mrkdwn import as_mrkdwn
from bot.parsing.text import has_hangul
from bot.slack.deps import Deps
from bot.slack.jobs import body_of, delivery_id
from bot.slack.posting import tell
from bot.store.jobs import Job

log = logging.getLogger(__name__)


def job_ref(job: Job) -> str:
    return f"job-{job.id}"


def _what(kind: str) -> Msg:
    if kind in ("approve", "reject", "revert"):
        return Msg("the plan decision you clicked", "누르신 계획 결정")
    if kind in ("run_ops", "on_message", "on_mention", "rerun", "choose_intent", "diagnose"):
        return Msg("your request", "요청하신 작업")
    return Msg("what you asked for", "요청하신 작업")


def notice(job: Job, lang: str) -> str:
    what = _what(job.kind)
    ref = job_ref(job)
    return as_mrkdwn(
        Msg(
            f"⚠️ I could not finish {what.en}: {job.attempts} attempt(s) stopped before the end. Nothing more "
            f"will be tried; please ask again. Reference: `{ref}` (in the audit log).",
            f"⚠️ {attach(what.ko, '을')} 끝내지 못했습니다: {job.attempts}번의 시도가 모두 도중에 멈췄습니다. "
            f"더 이상 시도하지 않으니 다시 요청해 주세요. 참조: `{ref}` (감사 로그에 있음).",
        ),
        lang,
    )


def _thread_of(deps: Deps, body: dict[str, Any]) -> tuple[str, str]:
    """The channel and thread the job's delivery belongs to ("" when it has none)."""
    event = body.get("event") or {}
    if event.get("channel"):
        return event["channel"], event.get("thread_ts") or event.get("ts", "")
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
    thread = container.get("thread_ts") or message.get("thread_ts") or message.get("ts", "")
    if channel and thread:
        return channel, thread
    req = deps.services.repo.request_by_once_key(delivery_id(body))
    if req is not None and req.thread_ts:
        return req.channel, req.thread_ts
    return "", ""


def tell_job_failed(deps: Deps, client: Any, job: Job) -> None:
    """Tell the person and audit it (the audit row first: it must exist even if Slack is away)."""
    body = body_of(job)
    text = str(body.get("text") or (body.get("event") or {}).get("text") or "")
    lang = "ko" if has_hangul(text[:500]) else deps.services.settings.default_language
    user = (body.get("user") or {}).get("id") or body.get("user_id") or (body.get("event") or {}).get("user") or ""
    deps.services.audit(
        AuditKind.JOB_FAILED,
        "bot",
        f"{job.kind} for {user or 'someone'} failed after {job.attempts} attempt(s)",
        after={"job": job.id, "delivery": delivery_id(body)[:120]},
        ref=job_ref(job),
    )
    message = notice(job, lang)
    channel, thread = _thread_of(deps, body)
    if channel and thread:
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread, text=f"<@{user}> {message}" if user else message)
            return
        except Exception:
            log.warning("could not tell the thread that a job failed", exc_info=True)
    respond = Respond(response_url=body["response_url"]) if body.get("response_url") else None
    if not tell(client, respond, body, message):
        log.error("nobody could be told that a job failed", extra={"job": job.id})
