"""Carrying on with a request after an attempt that stopped part-way (its worker died).

What the earlier attempt finished stays: a request that left ``diagnosing`` was answered and is left
alone, and an opened thread is reused (found in Slack when it was not recorded). A diagnosis whose
plans were recorded but never posted is run again from live state, and those unposted plans are
expired first, so only the plans the thread shows can be approved.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from bot.domain import AuditKind, PlanStatus
from bot.services.core import Services, msg_from
from bot.store.records import RequestRecord

if TYPE_CHECKING:
    from bot.services.requests import Ask

log = logging.getLogger(__name__)


class Diagnosing(Protocol):
    """What resuming needs of the request service: its thread opening and its diagnosis."""

    svc: Services

    def open_thread(self, req: RequestRecord, reuse_thread_ts: str) -> RequestRecord: ...

    def diagnose(
        self,
        req: RequestRecord,
        aws_error: Mapping[str, str] | None = None,
        image_pull: Mapping[str, str] | None = None,
    ) -> Any: ...


def resume(requests: Diagnosing, req: RequestRecord, ask: Ask) -> RequestRecord:
    """Carry on with ``req``, which ``ask``'s delivery created in an earlier attempt."""
    svc = requests.svc
    if req.state != "diagnosing":
        log.info("a retried job found its request answered", extra={"request_id": req.id})
        _refresh_status(svc, req)
        return req
    if not req.status_ts:
        req = _reopen_thread(requests, req, ask.thread_ts or req.thread_ts)
    if req.diagnosis is not None:
        # the diagnosis was recorded: whether it reached the thread, the thread itself says
        posted = svc.thread.posted(req)
        if posted.findings:
            _finish_posted(svc, req, posted.plans)
            return req
        _expire_unposted(svc, req)
    log.info("resuming a request an earlier attempt left diagnosing", extra={"request_id": req.id})
    requests.diagnose(req, ask.aws_error, ask.image_pull)
    return req


def _reopen_thread(requests: Diagnosing, req: RequestRecord, reuse_thread_ts: str) -> RequestRecord:
    """The thread of a request whose status message was never recorded: the one an earlier
    attempt posted (it may have died between posting and recording), else a new one."""
    svc = requests.svc
    found = svc.thread.find_opened(req, reuse_thread_ts)
    if found is None:
        return requests.open_thread(req, reuse_thread_ts)
    log.info("a retried job found the thread its earlier attempt opened", extra={"request_id": req.id})
    thread_ts, status_ts = found
    svc.repo.update_request(req.id, thread_ts=thread_ts, status_ts=status_ts)
    return replace(req, thread_ts=thread_ts, status_ts=status_ts)


def _finish_posted(svc: Services, req: RequestRecord, shown: Mapping[int, str]) -> None:
    """The findings are in the thread: post only the plan messages that are not, then record them
    and the request's state, and bring the status line up to date."""
    log.info("resuming a request whose findings were posted", extra={"request_id": req.id})
    plans = [p for p in svc.repo.plans_for_request(req.id) if p.status == PlanStatus.PROPOSED]
    message_ts = {p.id: shown.get(p.id) or p.message_ts or svc.thread.plan_message(req, p) for p in plans}
    with svc.repo.unit() as uow:
        for plan_id, ts in message_ts.items():
            svc.repo.set_plan_fields(plan_id, message_ts=ts)
        svc.repo.update_request(req.id, state="open" if plans else "done")
        uow.commit()
    _refresh_status(svc, replace(req, state="open" if plans else "done"))


def _refresh_status(svc: Services, req: RequestRecord) -> None:
    """The thread's status line as the answered request left it (the attempt may have died just
    before updating it); left alone once the request has moved on past its diagnosis."""
    if not req.diagnosis:
        return
    plans = svc.repo.plans_for_request(req.id)
    if req.state == "open" and plans and all(p.status == PlanStatus.PROPOSED for p in plans):
        state = "awaiting_approval"
    elif req.state == "done" and not plans:
        state = "done"
    else:
        return
    svc.thread.status(req, state, msg_from(req.diagnosis.get("headline") or {}))


def _expire_unposted(svc: Services, req: RequestRecord) -> None:
    with svc.repo.unit() as uow:
        for plan in svc.repo.plans_for_request(req.id):
            if plan.status == PlanStatus.PROPOSED and not plan.message_ts:
                svc.repo.set_plan_fields(plan.id, status=PlanStatus.EXPIRED)
                svc.audit(
                    AuditKind.EXPIRED,
                    "bot",
                    f"plan #{plan.id}: its diagnosis was interrupted before the thread showed it; diagnosing again",
                    req,
                    plan,
                )
        uow.commit()
