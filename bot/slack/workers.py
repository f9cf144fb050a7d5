"""Lazy listeners in worker processes, so diagnoses never share the GIL with the thread acking Slack.

With ``LAZY_WORKERS=N`` (``chatops serve``), the serving process only verifies, acks and puts each
lazy listener call on a queue (``bot.slack.call_queue``); N worker processes, each with its own bot
built by the same composition root, run it through Bolt's own ``lazy_only`` dispatch (the mechanism
Bolt's AWS Lambda adapter uses: the request is replayed with ``x-slack-bolt-lazy-only`` and the
listener function's name). Workers run at the lowest CPU priority (``yield_cpu_to_acks``). The queue
is internal and the serving process has verified every request before Bolt saw it; the decision that
listener middleware took at ack time (``context["refused"]``) travels with the call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.request import BoltRequest
from slack_bolt.util.utils import get_name_for_callable

from bot.slack.call_queue import CallQueue, CallReader
from bot.supervisor import Supervisor, yield_cpu_to_acks

log = logging.getLogger(__name__)
CARRIED_CONTEXT = ("refused",)
# Context key under which an HTTP adapter (``bot.http``) hands Bolt a list of callables to run once the
# answer has been written: pickling and sending a lazy call then costs the ack it belongs to nothing.
AFTER_RESPONSE = "chatops_after_response"


def lazy_call(request: BoltRequest, name: str) -> dict[str, Any]:
    """What a worker needs to replay one lazy listener call: the request as received, not a copy of it."""
    return {
        "body": request.raw_body if request.mode == "http" else request.body,
        "headers": {k: list(v) for k, v in request.headers.items()},
        "name": name,
        "mode": request.mode,
        "context": {k: request.context[k] for k in CARRIED_CONTEXT if k in request.context},
    }


def replay(app: Any, item: dict[str, Any]) -> None:
    """Run one queued lazy listener call on this process's app."""
    headers = dict(item["headers"])
    headers["x-slack-bolt-lazy-only"] = ["1"]
    headers["x-slack-bolt-lazy-function-name"] = [item["name"]]
    app.dispatch(BoltRequest(body=item["body"], headers=headers, context=dict(item["context"]), mode=item["mode"]))


def worker_main(settings_values: dict[str, Any], calls: CallReader) -> None:
    """Entry point of a worker process: build the bot, then replay queued calls until the queue ends.

    A worker outlives neither its serving process nor the work that process already accepted: the
    queue ends when the serving process closes it or dies, and only after every call sent before
    that has been taken (each was acked to Slack, so each user is owed an answer).
    """
    from bot import logging_setup
    from bot.bootstrap import build
    from bot.settings import Settings

    settings = Settings(**settings_values)
    logging_setup.configure(settings.log_level)
    yield_cpu_to_acks()
    bot = build(settings)
    while True:
        item = calls.take()
        if item is None:
            log.info("the serving process closed the queue: stopping")
            return
        try:
            replay(bot.app, item)
        except Exception:
            log.exception("lazy listener failed in a worker", extra={"listener": item.get("name")})


class LazyWorkers:
    """N worker processes (kept alive by a ``Supervisor``) and the queue that feeds them.

    A worker that dies is replaced; the call it was running is lost, and the request it belonged to
    is left in the state its last audited step put it in.
    """

    def __init__(self, settings_values: dict[str, Any], count: int):
        self.queue = CallQueue()
        self._supervisor = Supervisor("chatops-lazy", worker_main, (settings_values, self.queue.reader), count)

    @property
    def processes(self) -> list[Any]:
        return self._supervisor.processes

    def start(self) -> LazyWorkers:
        self._supervisor.start()
        return self

    def alive(self) -> int:
        return self._supervisor.alive()

    def waiting(self) -> int:
        """Calls queued for a worker (-1 where the platform cannot count them, as on macOS)."""
        try:
            return self.queue.waiting()
        except NotImplementedError:
            return -1

    def attach(self, app: Any) -> None:
        """Route ``app``'s lazy listeners to the workers.

        Bolt starts each lazy listener through its listener runner's ``_start_lazy_function``, which
        deep-copies the whole request and context (the Web API client included) for a thread of this
        process: two thirds of an ack's CPU, for a copy the queue never uses. Replacing that one step
        puts the call on the queue straight from the request as received.
        """
        runner = app._listener_runner
        if not callable(getattr(runner, "_start_lazy_function", None)):
            raise RuntimeError("slack_bolt's listener runner has no _start_lazy_function: LAZY_WORKERS needs updating")
        queue = self.queue

        def enqueue(function: Callable[..., None], request: BoltRequest) -> None:
            call = lazy_call(request, get_name_for_callable(function))
            after = request.context.get(AFTER_RESPONSE)
            if after is None:  # Socket Mode, or an adapter without the hook: queue at once
                queue.put(call)
            else:
                after.append(lambda: queue.put(call))

        runner._start_lazy_function = enqueue

    def stop(self, timeout: float = 10.0) -> None:
        """Let the workers finish what is queued (up to ``timeout`` each), then end them."""
        self._supervisor.stop(lambda: self.queue.close(timeout), timeout)
        self.queue.cleanup()
