"""Start-up and shutdown of a serving process (`chatops serve`, `chatops socket`, `chatops worker`): the
workspace it is installed in, the job workers and the scheduler, the health port beside Socket Mode or a
worker, and stopping it all on SIGTERM."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bootstrap import Bot


def learn_installation(bot: Bot) -> None:
    """Ask ``auth.test`` once at start-up for the installing workspace (kept; asked again on first use if it fails)."""
    import logging

    from bot.services.directory import LookupFailed

    try:
        team, enterprise = bot.deps.authorizer.directory.installation()
    except LookupFailed as exc:
        logging.getLogger("bot.cli").warning(
            "auth.test failed; will ask again on the first request", extra={"error": str(exc)[:200]}
        )
        return
    logging.getLogger("bot.cli").info("installed in workspace", extra={"team_id": team, "enterprise_id": enterprise})


def start_background(bot: Bot, *, workers: bool = True) -> list[Callable[[], None]]:
    """Settle plans a dead replica left half-done, then start this process's job workers (unless
    ``WORKER_THREADS=0`` or ``workers`` is False) and the leader-gated scheduler.

    Returns what to call, in order, at shutdown: the workers first (they finish or release their
    jobs within ``SHUTDOWN_GRACE_SECONDS``), then the scheduler (which hands leadership over).
    """
    from bot.bootstrap.scheduling import build_scheduler
    from bot.services.startup import on_start

    on_start(bot)
    stops: list[Callable[[], None]] = []
    scheduler = build_scheduler(bot)
    tune_garbage_collector()
    if workers and bot.settings.worker_threads > 0:
        bot.workers.start()
        stops.append(lambda: bot.workers.stop(bot.settings.shutdown_grace_seconds))
    scheduler.start()
    stops.append(scheduler.stop)
    return stops


YOUNG_GENERATION_THRESHOLD = 10_000  # allocations between young collections (CPython's default: 700)


def tune_garbage_collector() -> None:
    """Keep full garbage collections off the answer's path.

    Two measures, each seen in ``make bench`` before it was taken:
    - What start-up built (modules, the Bolt app, the AWS and Kubernetes clients: about 300,000
      objects) is moved out of the collector's reach (``gc.freeze``), so a full collection walks only
      what requests allocated. Without it, ``chatops serve`` paused 100 to 250 ms in full collections
      while the first acks were in flight (ack p99 200 to 1,100 ms at 20 users; 40 to 75 ms with it).
    - Young collections run every 10,000 allocations instead of every 700. A triage of 5,000 pods
      builds hundreds of thousands of client objects that all live until the answer is posted; at
      the default each was walked again by about 70 full collections in 40 seconds (about 6 s of a
      worker's time); at 10,000, by 7 (0.5 s), and time to answer fell by about a quarter.
    Start-up garbage is collected first, so it is freed rather than frozen.
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, *gc.get_threshold()[1:])


def stop_all(stops: list[Callable[[], None]]) -> None:
    for stop in stops:
        stop()


def exit_on_sigterm() -> None:
    """SIGTERM (a pod being stopped) raises SystemExit, so the ``finally`` that stops the workers runs.

    uvicorn shuts down gracefully on SIGTERM and then raises the signal again with the handler it found
    at start; with the default one the process would die there, before any of its own clean-up.
    """
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def serve_health(bot: Bot, connected: Callable[[], bool] | None, host: str, port: int) -> Callable[[], None]:
    """``/healthz``, ``/readyz`` (database, job workers, the Slack connection when ``connected`` is
    given) and ``/metrics`` beside Socket Mode or ``chatops worker``, served by uvicorn in a thread;
    returns what stops it."""
    import threading

    import uvicorn

    from bot.http import build_http_app

    server = uvicorn.Server(
        uvicorn.Config(
            build_http_app(bot, socket_connected=connected, slack_endpoint=False),
            host=host,
            port=port,
            log_config=None,
            access_log=False,
        )
    )
    thread = threading.Thread(target=server.run, name="health", daemon=True)
    thread.start()

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return stop


def run_workers(bot: Bot, host: str = "0.0.0.0", health_port: int = 0) -> int:
    """``chatops worker``: this process's job workers and the leader-gated scheduler until SIGTERM or
    SIGINT, then a graceful stop (running jobs finish within the grace period or are released)."""
    import logging
    import signal
    import threading

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    learn_installation(bot)
    stops = start_background(bot)
    if health_port:
        stops.append(serve_health(bot, None, host, health_port))
    logging.getLogger("bot.cli").info("worker running", extra={"threads": bot.settings.worker_threads})
    stopping.wait()
    logging.getLogger("bot.cli").info("worker stopping: finishing or releasing running jobs")
    stop_all(stops)
    return 0
