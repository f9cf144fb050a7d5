"""The HTTP surface: Slack's endpoint plus health, readiness and Prometheus metrics.

A thin translator in the style of Bolt's Starlette adapter, except that it verifies the signature
itself before Bolt parses anything, and ``App.dispatch`` runs in the thread pool so one slow ack
never blocks the event loop for the other clients.

What a request costs before it is known to come from Slack is bounded: the size it announces and
the signature headers are checked before a byte of the body is read, a body without a usable
``Content-Length`` is read in pieces and cut off once it passes ``MAX_BODY_BYTES``, and only then
is the HMAC computed over it.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import Clock, SignatureVerifier
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.bootstrap import Bot
from bot.cloud.metrics import serving_registry
from bot.store.metrics import JobCollector, PlanStatusCollector

log = logging.getLogger(__name__)

# Slack's payloads are small: message text is capped at 40,000 characters, a message at 50 blocks, a
# modal at 100, and the largest requests it sends (view submissions, events carrying blocks) stay in
# the tens of kilobytes. One megabyte is far above anything Slack sends, and far below what would hurt
# a replica to hold for every connection at once; anything bigger is not Slack and is refused (413).
MAX_BODY_BYTES = 1024 * 1024
# Slack's rule: a timestamp more than five minutes from now is a replay (or a wrong clock).
MAX_AGE_SECONDS = 5 * 60
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
TIMESTAMP = re.compile(r"[0-9]{1,12}")
# Refusals close the connection: whatever is left of a refused body is never read.
CLOSE = {"Connection": "close"}


class _RateLimitedWarning:
    """``log.warning`` at most once per ``interval`` seconds for each reason, telling how many were held back.

    Each reason (a malformed header, a stale timestamp, an HMAC that does not match) has its own window,
    so a flood of one kind never hides the first line of another. The line says the reason and how many
    refusals for it were not logged since its previous line (also as ``reason`` and
    ``suppressed_since_last`` in the structured log).
    """

    def __init__(self, message: str, interval: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.message, self.interval, self.clock = message, interval, clock
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}
        self._lock = threading.Lock()

    def __call__(self, reason: str = "", **extra: object) -> bool:
        """Log (and return True) unless ``reason`` was logged within the interval; then only count it."""
        with self._lock:
            now = self.clock()
            last = self._last.get(reason)
            if last is not None and now - last < self.interval:
                self._suppressed[reason] = self._suppressed.get(reason, 0) + 1
                return False
            suppressed = self._suppressed.pop(reason, 0)
            self._last[reason] = now
        parts = [
            p for p in (reason, f"{suppressed} more not logged since the last such line" if suppressed else "") if p
        ]
        log.warning(
            self.message + (f" ({'; '.join(parts)})" if parts else ""),
            extra={**extra, "reason": reason, "suppressed_since_last": suppressed},
        )
        return True


class _Clock(Clock):
    def __init__(self, now: Callable[[], float]):
        self._now = now

    def now(self) -> float:
        return self._now()


class _TooLarge(Exception):
    pass


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, read piece by piece; ``_TooLarge`` as soon as more than ``limit`` bytes arrived."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _announced_length(request: Request) -> int | None:
    value = request.headers.get("content-length", "").strip()
    return int(value) if value.isdigit() else None


def _headers_problem(request: Request, now: float) -> str:
    """Why the signature headers cannot belong to a genuine request ("" when they can), body unread."""
    signature = request.headers.get("x-slack-signature", "")
    timestamp = request.headers.get("x-slack-request-timestamp", "")
    if not SIGNATURE.fullmatch(signature):
        return "missing or malformed X-Slack-Signature"
    if not TIMESTAMP.fullmatch(timestamp):
        return "missing or malformed X-Slack-Request-Timestamp"
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        return "X-Slack-Request-Timestamp more than five minutes from now"
    return ""


def slack_route(
    app: App,
    signing_secret: str,
    registry: CollectorRegistry,
    clock: Callable[[], float] = time.time,
    warn_clock: Callable[[], float] = time.monotonic,
) -> Route:
    """``POST /slack/events`` for a Bolt ``app``: verify, dispatch in the thread pool, translate back.

    ``clock`` judges request timestamps; ``warn_clock`` paces the refusal warnings (once a minute per reason).
    The benchmark serves its bare Bolt baseline through this same route, so both stand on one stack.
    """
    requests = Counter("chatops_slack_requests", "Slack requests by HTTP status", ["status"], registry=registry)
    latency = Histogram(
        "chatops_slack_ack_seconds",
        "Time to answer Slack",
        registry=registry,
        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3),
    )
    verifier = SignatureVerifier(signing_secret, clock=_Clock(clock))
    bad_signature = _RateLimitedWarning(
        "refused a request with a bad Slack signature (401): forged, or SLACK_SIGNING_SECRET is not this Slack "
        "app's signing secret (api.slack.com/apps > Basic Information), or this host's clock is off",
        clock=warn_clock,
    )

    def answer(status: int, text: str, started: float) -> Response:
        latency.observe(time.perf_counter() - started)
        requests.labels(str(status)).inc()
        return PlainTextResponse(text, status_code=status, headers=CLOSE if status >= 400 else None)

    async def slack_events(request: Request) -> Response:
        started = time.perf_counter()
        # Everything that can be judged without the body is judged first, so a request that is not
        # Slack's costs neither the time to receive its body nor the memory to hold it.
        announced = _announced_length(request)
        if announced is not None and announced > MAX_BODY_BYTES:
            return answer(413, "request too large", started)
        problem = _headers_problem(request, clock())
        if problem:
            bad_signature(path=request.url.path, reason=problem)
            return answer(401, "invalid request signature", started)
        try:
            body = await _read_body(request, MAX_BODY_BYTES)
        except _TooLarge:
            return answer(413, "request too large", started)
        # Verify before anything parses the body: a forged or malformed request must never reach Bolt's
        # parser (which raises on bodies Slack never sends) and must never cost more than an HMAC.
        try:
            genuine = verifier.is_valid(
                body, request.headers.get("x-slack-request-timestamp"), request.headers.get("x-slack-signature")
            )
        except (ValueError, TypeError):
            genuine = False
        if not genuine:
            bad_signature(path=request.url.path, reason="signature does not match the body")
            return answer(401, "invalid request signature", started)
        try:
            bolt_request = to_bolt_request(request, body)
            bolt_response = await run_in_threadpool(app.dispatch, bolt_request)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("unreadable Slack request", extra={"error": f"{type(exc).__name__}: {exc}"[:300]})
            return answer(400, "unreadable request", started)
        latency.observe(time.perf_counter() - started)
        requests.labels(str(bolt_response.status)).inc()
        return to_starlette_response(bolt_response)

    return Route("/slack/events", slack_events, methods=["POST"])


def build_http_app(
    bot: Bot,
    warn_clock: Callable[[], float] = time.monotonic,
    socket_connected: Callable[[], bool] | None = None,
    *,
    slack_endpoint: bool = True,
) -> Starlette:
    """Slack's endpoint, ``/healthz``, ``/readyz`` and ``/metrics``.

    Readiness needs the database and at least one job worker alive anywhere (a pool in this process
    or in another, as ``job_workers`` says): without one, Slack would get its acks and nothing would
    ever be answered. ``/metrics`` shows the jobs by state, the age of the oldest queued one and how
    long answers take. ``warn_clock`` paces the warnings about refused signatures (tests drive it).

    In Socket Mode (``socket_connected`` given) Slack reaches the bot over its WebSocket, so there is
    no ``/slack/events``; readiness then also needs that connection to be open. ``chatops worker``
    serves only health and metrics (``slack_endpoint=False``).
    """
    registry = serving_registry()
    registry.register(PlanStatusCollector(lambda: bot.engine))
    registry.register(JobCollector(lambda: bot.jobs))

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(_request: Request) -> Response:
        def workers_seen() -> int:
            with bot.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return bot.jobs.pools_seen_since(bot.workers.lease * 2)

        try:
            workers = await run_in_threadpool(workers_seen)
        except Exception as exc:  # noqa: BLE001 - readiness reports, never raises
            return PlainTextResponse(f"database not ready: {type(exc).__name__}", status_code=503)
        if socket_connected is not None and not socket_connected():
            return PlainTextResponse("not connected to Slack over Socket Mode", status_code=503)
        if workers == 0:
            return PlainTextResponse(
                "no job worker is running: requests would be acked and never answered", status_code=503
            )
        return PlainTextResponse("ready")

    async def metrics(_request: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    routes = [Route("/healthz", healthz), Route("/readyz", readyz), Route("/metrics", metrics)]
    if socket_connected is None and slack_endpoint:
        routes.insert(0, slack_route(bot.app, bot.settings.slack_signing_secret, registry, warn_clock=warn_clock))
    return Starlette(routes=routes)
