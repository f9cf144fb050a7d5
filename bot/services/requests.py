"""Requests: from a parsed ask to a thread with findings and proposed plans.

Called by the Slack listeners' lazy halves (and by ``chatops diagnose`` without Slack). One
request is one thread; a repeated request for a target that is still awaiting a decision is
linked to the open thread instead of starting another.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from bot import errors
from bot.cloud.metrics import DIAGNOSES, DIAGNOSIS_SECONDS, REQUESTS, error_family
from bot.domain import AuditKind, Diagnosis, Lang, Msg, Request
from bot.korean import attach
from bot.mrkdwn import markup, mention
from bot.services.core import Services, msg_to_dict, step_to_dict
from bot.services.failures import describe_failure, new_ref
from bot.services.guardrails import plan_violations
from bot.services.resumption import resume
from bot.services.risk import approvals_needed, rated
from bot.store.records import PlanRecord, RequestRecord
from handlers import registry

log = logging.getLogger(__name__)

READ_ONLY_INTENTS = frozenset({"pods", "pod_events", "help", "other"})


@dataclass(frozen=True)
class Ask:
    """A request as a listener hands it over."""

    user: str
    channel: str
    text: str
    lang: str
    intent: str
    entities: Mapping[str, str]
    aws_error: Mapping[str, str] | None = None
    image_pull: Mapping[str, str] | None = None
    thread_ts: str = ""
    cluster: str = ""
    once_key: str = ""  # a delivery id (Slack's trigger_id): a second request with it is ignored
    # a retried job's ask: a request its delivery created before is resumed, not ignored
    resume: bool = False


def target_key(cluster: str, intent: str, entities: Mapping[str, str]) -> str:
    parts = [entities.get(k, "") for k in ("namespace", "name", "pod", "service_account", "db", "sysctl")]
    return f"{cluster}|{intent}|{'/'.join(p for p in parts if p)}"[:255]


class RequestService:
    def __init__(self, svc: Services):
        self.svc = svc

    def submit(self, ask: Ask) -> RequestRecord | None:
        """Record the ask, open (or link to) its thread, and run the diagnosis (None: this delivery
        was handled before)."""
        svc = self.svc
        cluster = ask.cluster or svc.contexts.default_cluster(ask.channel)
        target = target_key(cluster, ask.intent, ask.entities)
        if ask.resume and (earlier := svc.repo.request_by_once_key(ask.once_key)) is not None:
            return resume(self, earlier, ask)
        # the delivery's dedupe, the request and its audit row: one transaction
        with svc.repo.unit() as uow:
            # a delivery seen before is ignored, unless this is its retried job: its request was
            # linked to an open one (it made none), and the link is told again if it was not
            if ask.once_key and not svc.repo.first_time(ask.once_key, svc.clock()) and not ask.resume:
                return None
            existing = svc.repo.open_request_for(target) if ask.intent not in READ_ONLY_INTENTS else None
            if existing is None:
                req = svc.repo.add_request(
                    user_id=ask.user,
                    channel=ask.channel,
                    thread_ts=ask.thread_ts,
                    status_ts="",
                    lang=ask.lang,
                    text=ask.text[:4000],
                    intent=ask.intent,
                    entities=dict(ask.entities),
                    target=target,
                    cluster=cluster,
                    account_id=svc.contexts.account_of(cluster),
                    state="diagnosing",
                    created_at=svc.clock(),
                    once_key=ask.once_key[:128] or None,
                )
                svc.audit(
                    AuditKind.REQUEST_RECEIVED,
                    ask.user,
                    f"{ask.intent} {dict(ask.entities)}",
                    req,
                    after={"text": ask.text[:500]},
                )
            uow.commit()
        if existing is not None:
            self._link(existing, ask)
            return existing
        req = self.open_thread(req, ask.thread_ts)
        self.diagnose(req, ask.aws_error, ask.image_pull)
        return req

    def _link(self, existing: RequestRecord, ask: Ask) -> None:
        """Tell ``existing``'s thread and the asker that this ask is handled there. A retried job
        whose first attempt said so already says nothing again (the thread is read)."""
        delivery = hashlib.sha256(ask.once_key.encode()).hexdigest()[:16] if ask.once_key else ""
        if ask.resume and delivery and self.svc.thread.linked(existing, delivery):
            log.info("a retried job found its link already told", extra={"request_id": existing.id})
            return
        text = markup(
            "{who} asked about this too; it is handled here.",
            "{who} 님도 같은 요청을 하셨습니다. 이 스레드에서 처리합니다.",
            who=mention(ask.user),
        )
        self.svc.thread.reply_linked(existing, text, delivery)
        self.svc.thread.ephemeral(ask.channel, ask.user, self._link_text(existing, ask.lang))
        REQUESTS.labels("linked").inc()

    def open_thread(self, req: RequestRecord, reuse_thread_ts: str) -> RequestRecord:
        """Post the request's status message (in ``reuse_thread_ts`` when given) and record where."""
        svc = self.svc
        try:
            thread_ts, status_ts = svc.thread.open(req, reuse_thread_ts)
        except errors.ChannelUnavailable as exc:
            self._channel_refused(req, exc, "the request's thread")
            raise
        svc.repo.update_request(req.id, thread_ts=thread_ts, status_ts=status_ts)
        return replace(req, thread_ts=thread_ts, status_ts=status_ts)

    def _link_text(self, req: RequestRecord, lang: str) -> str:
        return Msg(
            f"Request #{req.id} for this target is already open in its thread.",
            f"이 대상에 대한 요청 #{attach(req.id, '가')} 이미 스레드에서 진행 중입니다.",
        )(lang)

    def diagnose(
        self,
        req: RequestRecord,
        aws_error: Mapping[str, str] | None = None,
        image_pull: Mapping[str, str] | None = None,
    ) -> Diagnosis | None:
        svc = self.svc
        diagnoser = registry.diagnoser_for(req.intent)
        if diagnoser is None:
            svc.thread.ask_intent(req, registry.intent_choices())
            svc.repo.update_request(req.id, state="asked")
            REQUESTS.labels("asked").inc()
            return None
        request = Request(
            intent=req.intent,
            entities=req.entities,
            text=req.text,
            lang=Lang(req.lang),
            user=req.user_id,
            aws_error=aws_error,
            image_pull=image_pull,
        )
        started = time.perf_counter()
        try:
            # assuming the cluster's role is part of the run; the requester's time zone is shown beside times
            ctx = svc.context(req.cluster, req.user_id, requester_zone=svc.user_zone(req.user_id))
            diagnosis = diagnoser.diagnose(ctx, request)
        except Exception as exc:  # noqa: BLE001 - every failure is told in the thread and audited
            _observe(diagnoser.name, exc, started)
            self._fail(req, exc)
            return None
        _observe(diagnoser.name, None, started)
        # the plans, their audit rows and the diagnosis: one transaction
        with svc.repo.unit() as uow:
            rows, refusals = self._record_plans(req, diagnosis)
            svc.repo.update_request(req.id, diagnosis=_summary(diagnosis))
            svc.audit(
                AuditKind.DIAGNOSIS_COMPLETED,
                "bot",
                str(diagnosis.headline),
                req,
                after={"codes": diagnosis.codes(), "plans": [r.id for r in rows]},
            )
            uow.commit()
        self._tell_refusals(req, refusals)
        try:
            message_ts = svc.thread.diagnosis(req, diagnosis, rows)
        except errors.ChannelUnavailable as exc:
            self._channel_refused(req, exc, "the diagnosis")
            raise
        # at once after posting: where each plan's message is, and the request's state, so an attempt
        # retried after this point finds the request answered and posts nothing again
        with svc.repo.unit() as uow:
            for row, ts in zip(rows, message_ts, strict=False):
                svc.repo.set_plan_fields(row.id, message_ts=ts)
            svc.repo.update_request(req.id, state="open" if rows else "done")
            uow.commit()
        svc.thread.status(req, "awaiting_approval" if rows else "done", diagnosis.headline)
        REQUESTS.labels("proposed" if rows else "diagnosed").inc()
        return diagnosis

    def _propose(self, req: RequestRecord, diagnosis: Diagnosis) -> list[PlanRecord]:
        """Record the diagnosis's plans (those the guardrail allows) and tell the thread of the others."""
        with self.svc.repo.unit() as uow:
            rows, refusals = self._record_plans(req, diagnosis)
            uow.commit()
        self._tell_refusals(req, refusals)
        return rows

    def _record_plans(self, req: RequestRecord, diagnosis: Diagnosis) -> tuple[list[PlanRecord], list[list[str]]]:
        """The plans the guardrail allows, stored with their audit rows; the reasons for each one refused
        (audited too). Database only: the caller tells the thread."""
        svc = self.svc
        rows: list[PlanRecord] = []
        refusals: list[list[str]] = []
        for proposed in diagnosis.plans:
            plan = rated(proposed, svc.operation)
            problems = plan_violations(plan, svc.settings.role_patterns)
            if problems:
                svc.audit(
                    AuditKind.REFUSED,
                    "guardrail",
                    f"plan not proposed: {'; '.join(problems)}",
                    req,
                    after={"title": plan.title.en},
                )
                refusals.append(problems)
                continue
            now = svc.clock()
            row = svc.repo.add_plan(
                request_id=req.id,
                kind=plan.kind,
                title=msg_to_dict(plan.title),
                target=plan.target,
                risk=str(plan.risk),
                status="proposed",
                steps=[step_to_dict(s) for s in plan.steps],
                verify=dict(plan.verify),
                requested_by=req.user_id,
                created_at=now,
                expires_at=now + timedelta(minutes=svc.settings.plan_ttl_minutes),
                approvals_needed=approvals_needed(plan.risk),
                message_ts="",
                version=0,
            )
            svc.audit(
                AuditKind.PLAN_PROPOSED,
                "bot",
                plan.title.en,
                req,
                row,
                before=[s.before for s in plan.steps],
                after=[s.after for s in plan.steps],
            )
            rows.append(row)
        return rows, refusals

    def _tell_refusals(self, req: RequestRecord, refusals: list[list[str]]) -> None:
        for problems in refusals:
            self.svc.thread.reply(
                req,
                Msg(
                    "A fix was found but a guardrail refuses it: " + "; ".join(problems),
                    "수정안이 있으나 안전 규칙에 의해 거부되었습니다: " + "; ".join(problems),
                ),
            )

    def _channel_refused(self, req: RequestRecord, exc: errors.ChannelUnavailable, what: str) -> None:
        """Slack would not post in the request's channel: audited, and the request ends as failed
        (the listener tells the requester how to invite the bot)."""
        with self.svc.repo.unit() as uow:
            self.svc.audit(
                AuditKind.POST_REFUSED,
                "slack",
                f"{what} not posted in {exc.channel}: {exc.code}",
                req,
                after={"channel": exc.channel, "error": exc.code},
            )
            self.svc.repo.update_request(req.id, state="failed")
            uow.commit()
        REQUESTS.labels("post_refused").inc()

    def _fail(self, req: RequestRecord, exc: Exception) -> None:
        svc = self.svc
        ref = new_ref()
        text = describe_failure(exc, ref)
        if isinstance(exc, errors.ChatOpsError):
            log.warning("diagnosis failed", extra={"ref": ref, "request_id": req.id, "error": str(exc)})
        else:
            log.exception("diagnosis crashed", extra={"ref": ref, "request_id": req.id})
        try:
            svc.thread.reply(req, text)
            svc.thread.status(req, "failed", text)
        finally:
            # last, once the thread is complete: the failure's audit row and the request's state
            with svc.repo.unit() as uow:
                svc.audit(AuditKind.DIAGNOSIS_FAILED, "bot", f"{type(exc).__name__}: {exc}"[:500], req, ref=ref)
                svc.repo.update_request(req.id, state="failed")
                uow.commit()
            REQUESTS.labels("failed").inc()


def _observe(feature: str, exc: Exception | None, started: float) -> None:
    """One diagnoser run in ``chatops_diagnoses_total`` and ``chatops_diagnosis_duration_seconds``:
    ``ok``, the bot's error class (``access_denied``, ``unreachable`` ...) or ``crashed``."""
    DIAGNOSIS_SECONDS.labels(feature).observe(time.perf_counter() - started)
    if exc is None:
        outcome = "ok"
    elif isinstance(exc, errors.ChatOpsError):
        outcome = error_family(type(exc).__name__)
    else:
        outcome = "crashed"
    DIAGNOSES.labels(feature, outcome).inc()


def _summary(diagnosis: Diagnosis) -> dict[str, Any]:
    return {
        "kind": diagnosis.kind,
        "target": diagnosis.target,
        "headline": msg_to_dict(diagnosis.headline),
        "severity": str(diagnosis.worst),
        "codes": diagnosis.codes(),
        "findings": [
            {
                "code": f.code,
                "severity": str(f.severity),
                "title": msg_to_dict(f.title),
                "count": f.count,
                "target": f.target,
            }
            for f in diagnosis.findings
        ],
    }
