"""The baseline of the ack comparison: ``python -m bench.serve_sandbox`` serves a bare Bolt app.

Started by ``bench.ack``. The app's ``/ops`` handler only acks, behind the same uvicorn + Starlette +
``bot.http.slack_route`` stack as the bot (``BackgroundServer``). It prints one JSON line
``{"url": ..., "pid": ...}`` once accepting, then serves until stdin closes.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

from sandbox.http_server import BackgroundServer


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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.serve_sandbox")
    p.add_argument("--secret", required=True)
    p.add_argument("--slack-api", default="")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("slack_bolt").setLevel(logging.CRITICAL)
    server = BackgroundServer(bare_asgi(args.secret, args.slack_api))
    print(json.dumps({"url": server.start(), "pid": os.getpid()}), flush=True)
    try:
        for _line in sys.stdin:
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
