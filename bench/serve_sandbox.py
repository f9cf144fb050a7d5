"""The serving process of the ack and memory benchmarks: ``python -m bench.serve_sandbox``.

Started by ``bench.run``. ``--mode full`` builds the real bot through the composition root
(``bot.bootstrap.build``) against the stand-ins whose URLs it is given (moto through the
``AWS_*`` environment, the Kubernetes and Slack stand-ins by URL) and serves ``bot.http`` under
uvicorn (``BackgroundServer``). ``--mode bare`` serves a bare Bolt ``App`` whose ``/ops`` handler
only acks, behind the same uvicorn + Starlette + ``bot.http.slack_route`` stack: the baseline.

It prints one JSON line ``{"url": ..., "pid": ...}`` once accepting, then serves until stdin
closes. A line ``stats`` on stdin is answered with the request rows by state (full mode), so the
benchmark can wait for the diagnoses its commands triggered.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from typing import Any

from sandbox.http_server import BackgroundServer

BENCH_CHANNEL = "C_BENCH"


def bare_asgi(secret: str, slack_api: str, command: str = "/ops") -> Any:
    """A bare Bolt app with an empty ``/ops`` handler, served by the product's own Slack route.

    Same stack as the bot: uvicorn, Starlette, ``bot.http.slack_route`` (signature check before Bolt,
    metrics, dispatch in the thread pool); Bolt's own check is off in both, as the route verifies.
    It talks to the Slack stand-in too: Bolt's single-team authorization calls ``auth.test`` once.
    """
    from prometheus_client import CollectorRegistry
    from slack_bolt import App
    from slack_sdk import WebClient
    from starlette.applications import Starlette

    from bot.http import slack_route

    app = App(
        client=WebClient(token="xoxb-bare", base_url=slack_api),
        signing_secret=secret,
        process_before_response=True,
        token_verification_enabled=False,
        request_verification_enabled=False,
    )

    @app.command(command)
    def empty(ack: Callable[..., None]) -> None:
        ack()

    return Starlette(routes=[slack_route(app, secret, CollectorRegistry())])


def full_bot(
    secret: str, slack_api: str, kube_url: str, database_url: str
) -> tuple[Any, Callable[[], dict], Callable[[], None]]:
    """The real bot (composition root), a function reporting its request rows by state, and its stop."""
    from sqlalchemy import func, select

    from bot.bootstrap import build
    from bot.cloud.aws import Aws
    from bot.cloud.kube import Kube
    from bot.http import build_http_app
    from bot.services.contexts import SingleClusterContexts
    from bot.settings import Settings
    from bot.store.migrate import upgrade
    from bot.store.models import RequestRow
    from sandbox.runtime import OPS, OPS2

    upgrade(database_url)
    settings = Settings(
        slack_bot_token="xoxb-bench",
        slack_signing_secret=secret,
        slack_api_url=slack_api,
        database_url=database_url,
        aws_region=os.environ.get("AWS_REGION", "ap-northeast-1"),
        cluster_name="bench",
        kube_host=kube_url,
        request_channels=BENCH_CHANNEL,
        approver_user_ids=f"{OPS},{OPS2}",
        log_level="ERROR",
        role_allow_patterns="eks-*",
        lazy_workers=int(os.environ.get("BENCH_LAZY_WORKERS", "1")),
    )
    contexts = SingleClusterContexts(
        settings,
        aws_factory=lambda: Aws(region=settings.aws_region, max_attempts=2),
        kube_factory=lambda: Kube.from_host(kube_url),
    )
    bot = build(settings, contexts=contexts)
    stop: Callable[[], None] = lambda: None  # noqa: E731
    if settings.lazy_workers > 0:  # as `chatops serve` does with LAZY_WORKERS: diagnoses off the serving process
        from bot.slack.workers import LazyWorkers

        workers = LazyWorkers(settings.model_dump(), settings.lazy_workers).start()
        workers.attach(bot.app)
        stop = workers.stop

    def stats() -> dict:
        with bot.deps.services.repo.sessions() as s:
            rows = s.execute(select(RequestRow.state, func.count()).group_by(RequestRow.state)).all()
        return {state: n for state, n in rows}

    return build_http_app(bot), stats, stop


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.serve_sandbox")
    p.add_argument("--mode", choices=("full", "bare"), default="full")
    p.add_argument("--secret", required=True)
    p.add_argument("--slack-api", default="")
    p.add_argument("--kube", default="")
    p.add_argument("--database-url", default="")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("slack_bolt").setLevel(logging.CRITICAL)
    if args.mode == "bare":
        asgi, stats, stop = bare_asgi(args.secret, args.slack_api), (lambda: {}), (lambda: None)
    else:
        url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='chatops-bench-')}/bench.db"
        asgi, stats, stop = full_bot(args.secret, args.slack_api, args.kube, url)
    from bot.serving import tune_for_serving

    tune_for_serving()  # what `chatops serve` does after start-up; the same for both apps (same stack)
    server = BackgroundServer(asgi)
    print(json.dumps({"url": server.start(), "pid": os.getpid()}), flush=True)
    try:
        for line in sys.stdin:
            if line.strip() == "stats":
                print(json.dumps(stats()), flush=True)
    finally:
        server.stop()
        stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
