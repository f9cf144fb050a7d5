"""The HTTP surface: Slack's endpoint plus health, readiness and Prometheus metrics.

A thin translator in the style of Bolt's Starlette adapter, except that it verifies the signature
itself before Bolt parses anything, and ``App.dispatch`` runs in the thread pool so one slow ack
never blocks the event loop for the other clients.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from bot.bootstrap import Bot
from bot.slack.workers import AFTER_RESPONSE, LazyWorkers

log = logging.getLogger(__name__)


def slack_route(app: App, signing_secret: str, registry: CollectorRegistry) -> Route:
    """``POST /slack/events`` for a Bolt ``app``: verify, dispatch in the thread pool, translate back.

    The benchmark serves its bare Bolt baseline through this same route, so both stand on one stack.
    """
    requests = Counter("chatops_slack_requests", "Slack requests by HTTP status", ["status"], registry=registry)
    latency = Histogram("chatops_slack_ack_seconds", "Time to answer Slack", registry=registry,
                        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3))
    verifier = SignatureVerifier(signing_secret)

    def answer(status: int, text: str, started: float) -> Response:
        latency.observe(time.perf_counter() - started)
        requests.labels(str(status)).inc()
        return PlainTextResponse(text, status_code=status)

    async def slack_events(request: Request) -> Response:
        started = time.perf_counter()
        body = await request.body()
        # Verify before anything parses the body: a forged or malformed request must never reach Bolt's
        # parser (which raises on bodies Slack never sends) and must never cost more than an HMAC.
        try:
            genuine = verifier.is_valid_request(body, dict(request.headers))
        except (ValueError, TypeError):
            genuine = False
        if not genuine:
            return answer(401, "invalid request signature", started)
        after: list[Callable[[], None]] = []
        try:
            bolt_request = to_bolt_request(request, body, {AFTER_RESPONSE: after})
            bolt_response = await run_in_threadpool(app.dispatch, bolt_request)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("unreadable Slack request", extra={"error": f"{type(exc).__name__}: {exc}"[:300]})
            return answer(400, "unreadable request", started)
        latency.observe(time.perf_counter() - started)
        requests.labels(str(bolt_response.status)).inc()
        return _AnswerThen(to_starlette_response(bolt_response), after)

    return Route("/slack/events", slack_events, methods=["POST"])


class _AnswerThen:
    """The answer to Slack, then the work listeners left for after it (``AFTER_RESPONSE``).

    The hooks run once the response has been written, and also if writing it failed: what a
    listener handed on is never dropped because the connection went away.
    """

    def __init__(self, response: Response, hooks: list[Callable[[], None]]):
        self.response, self.hooks = response, hooks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.response(scope, receive, send)
        finally:
            for hook in self.hooks:
                hook()


def build_http_app(bot: Bot, workers: LazyWorkers | None = None) -> Starlette:
    """Slack's endpoint, ``/healthz``, ``/readyz`` and ``/metrics``.

    With lazy ``workers``, readiness also needs one of them running: without any, Slack would still
    get its acks but nothing would ever be diagnosed. ``/metrics`` then shows how many run and how
    many calls wait for them.
    """
    registry = CollectorRegistry()
    if workers is not None:
        Gauge("chatops_lazy_workers_alive", "Lazy worker processes running", registry=registry).set_function(
            workers.alive)
        Gauge("chatops_lazy_queue_depth", "Lazy listener calls waiting for a worker", registry=registry
              ).set_function(workers.waiting)

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(_request: Request) -> Response:
        def ping() -> None:
            with bot.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        try:
            await run_in_threadpool(ping)
        except Exception as exc:  # noqa: BLE001 - readiness reports, never raises
            return PlainTextResponse(f"database not ready: {type(exc).__name__}", status_code=503)
        if workers is not None and workers.alive() == 0:
            return PlainTextResponse("no lazy worker is running: requests would be acked and never answered",
                                     status_code=503)
        return PlainTextResponse("ready")

    async def metrics(_request: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return Starlette(routes=[slack_route(bot.app, bot.settings.slack_signing_secret, registry),
                             Route("/healthz", healthz), Route("/readyz", readyz), Route("/metrics", metrics)])
