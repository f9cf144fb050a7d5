"""Bolt's lazy listeners as durable jobs: the ack queues a job row; a worker replays it through Bolt.

``JobLazyRunner`` is a ``slack_bolt.lazy_listener.LazyListenerRunner``, set as the app's
``listener_runner.lazy_listener_runner`` (the public extension point Bolt's own AWS Lambda adapter
uses, ``slack_bolt/adapter/aws_lambda/handler.py``). Bolt calls its ``start`` while the ack is being
made, before the answer goes back to Slack: the job row is committed first, so whatever Slack was
told "on it" for is in the database. A worker (``bot.services.workers``) replays the job through
``App.dispatch`` with Bolt's lazy-only headers (``x-slack-bolt-lazy-only``,
``x-slack-bolt-lazy-function-name``), the way the Lambda adapter replays a lazy call in a new
invocation: Bolt then runs only that one lazy function, with the request as Slack sent it.

The dedupe key is the delivery's identity (``event_id``, ``trigger_id``, a button's ``action_ts``),
so the same delivery queued twice is one job. The replayed request carries the attempt number as
``context["job_attempt"]``: listeners resume from what an earlier attempt recorded when it is above 1.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_bolt.lazy_listener import LazyListenerRunner
from slack_bolt.request import BoltRequest
from slack_bolt.util.utils import get_name_for_callable

from bot.store.jobs import Job, JobStore

log = logging.getLogger(__name__)

ATTEMPT = "job_attempt"  # context key: which attempt of its job a replayed lazy listener call is


def delivery_id(body: dict[str, Any]) -> str:
    """What identifies one Slack delivery across redeliveries (Slack retries an event with its ``event_id``)."""
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    actions = body.get("actions") or []
    if actions:
        first = actions[0]
        user = (body.get("user") or {}).get("id", "")
        return f"action:{user}:{first.get('action_id', '')}:{first.get('action_ts', '')}:{first.get('value', '')}"
    if body.get("trigger_id"):
        return f"trigger:{body['trigger_id']}"
    view = body.get("view") or {}
    if view.get("id"):
        return f"view:{view['id']}:{view.get('hash', '')}"
    return "body:" + hashlib.sha256(repr(sorted(body.items())).encode()).hexdigest()


# Not kept in a job: Bolt's own lazy-call headers (the replay sets them), and the signature, which
# was verified before the ack (``bot.http``) and, kept with the body, would make the job row a request
# anyone reading the database could send again while its timestamp is fresh.
NOT_KEPT = ("x-slack-bolt-lazy", "x-slack-signature")


def lazy_payload(request: BoltRequest) -> dict[str, Any]:
    """What a worker needs to replay one lazy call: the request as received (JSON-safe)."""
    http = request.mode == "http"
    return {
        "raw_body": request.raw_body if http else "",
        "body": None if http else request.body,
        "headers": {k: list(v) for k, v in request.headers.items() if not k.startswith(NOT_KEPT)},
        "mode": request.mode,
    }


class JobLazyRunner(LazyListenerRunner):
    """Starts a lazy listener by queueing it as a job (and waking a worker of this process)."""

    def __init__(self, store: JobStore, max_attempts: int, wake: Callable[[], None] = lambda: None):
        self.logger = log
        self.store, self.max_attempts, self._wake = store, max_attempts, wake

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        name = request.lazy_function_name or get_name_for_callable(function)
        key = f"{name}:{delivery_id(request.body)}"
        job_id = self.store.enqueue(name, key, lazy_payload(request), self.max_attempts)
        if job_id is None:
            log.info("the same delivery was queued before: not queued again", extra={"dedupe_key": key[:120]})
            return
        self._wake()


def replay(app: App, job: Job) -> None:
    """Run ``job`` on this process's app: Bolt dispatches it to the one lazy function it names."""
    payload = job.payload
    headers = dict(payload["headers"])
    headers["x-slack-bolt-lazy-only"] = ["1"]
    headers["x-slack-bolt-lazy-function-name"] = [job.kind]
    body = payload["raw_body"] if payload["mode"] == "http" else payload["body"]
    request = BoltRequest(body=body, headers=headers, context={ATTEMPT: job.attempts}, mode=payload["mode"])
    app.dispatch(request)


def body_of(job: Job) -> dict[str, Any]:
    """The Slack payload a job was queued for, parsed as Bolt parses it."""
    payload = job.payload
    body = payload["raw_body"] if payload["mode"] == "http" else payload["body"]
    return BoltRequest(body=body, headers=payload["headers"], mode=payload["mode"]).body
