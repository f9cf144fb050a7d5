"""Lazy listeners in worker processes, so diagnoses never share the GIL with the thread acking Slack.

With ``LAZY_WORKERS=N`` (``chatops serve``), the serving process only verifies, acks and puts each lazy
listener call on a queue; N worker processes, each with its own bot built by the same composition
root, run it through Bolt's own ``lazy_only`` dispatch (the mechanism Bolt's AWS Lambda adapter uses:
the request is replayed with ``x-slack-bolt-lazy-only`` and the listener function's name). The queue
is internal, so workers skip the signature check that the serving process already made; the decision
that listener middleware took at ack time (``context["refused"]``) travels with the call.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable
from typing import Any

from slack_bolt.lazy_listener.runner import LazyListenerRunner
from slack_bolt.request import BoltRequest

log = logging.getLogger(__name__)
CARRIED_CONTEXT = ("refused",)
NICENESS = 10


class QueueLazyListenerRunner(LazyListenerRunner):
    """Hands lazy listener calls to worker processes instead of a local thread pool."""

    def __init__(self, queue: Any, logger: logging.Logger | None = None):
        self.queue = queue
        self.logger = logger or log

    def start(self, function: Callable[..., None], request: BoltRequest) -> None:
        self.queue.put({"body": request.raw_body if request.mode == "http" else request.body,
                        "headers": {k: list(v) for k, v in request.headers.items()},
                        "name": request.lazy_function_name, "mode": request.mode,
                        "context": {k: request.context[k] for k in CARRIED_CONTEXT if k in request.context}})


def replay(app: Any, item: dict[str, Any]) -> None:
    """Run one queued lazy listener call on this process's app."""
    headers = dict(item["headers"])
    headers["x-slack-bolt-lazy-only"] = ["1"]
    headers["x-slack-bolt-lazy-function-name"] = [item["name"]]
    app.dispatch(BoltRequest(body=item["body"], headers=headers, context=dict(item["context"]), mode=item["mode"]))


def worker_main(settings_values: dict[str, Any], queue: Any) -> None:
    """Entry point of a worker process: build the bot, then replay queued calls until told to stop."""
    from bot import logging_setup
    from bot.bootstrap import build
    from bot.settings import Settings

    settings = Settings(**settings_values)
    logging_setup.configure(settings.log_level)
    os.nice(NICENESS)  # diagnoses are background work: the process answering Slack goes first for the CPU
    bot = build(settings, verify_requests=False)
    while True:
        item = queue.get()
        if item is None:
            return
        try:
            replay(bot.app, item)
        except Exception:
            log.exception("lazy listener failed in a worker", extra={"listener": item.get("name")})


class LazyWorkers:
    """N spawned worker processes and the queue that feeds them."""

    def __init__(self, settings_values: dict[str, Any], count: int):
        ctx = multiprocessing.get_context("spawn")  # never fork a process that already runs threads
        self.queue = ctx.Queue()
        self.processes = [ctx.Process(target=worker_main, args=(settings_values, self.queue), daemon=True,
                                      name=f"chatops-lazy-{i}") for i in range(count)]

    def start(self) -> LazyWorkers:
        for p in self.processes:
            p.start()
        return self

    def attach(self, app: Any) -> None:
        """Route ``app``'s lazy listeners to the workers."""
        app._listener_runner.lazy_listener_runner = QueueLazyListenerRunner(self.queue)

    def stop(self, timeout: float = 10.0) -> None:
        for _ in self.processes:
            self.queue.put(None)
        for p in self.processes:
            p.join(timeout)
            if p.is_alive():
                p.terminate()
