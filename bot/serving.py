"""Start-up and shutdown of a serving process (`chatops serve`, `chatops socket`): the workspace it is
installed in, the background work, the health port beside Socket Mode, and stopping it all on SIGTERM."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bootstrap import Bot
    from bot.slack.workers import LazyWorkers


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


def tune_for_serving() -> None:
    """Keep acks fast while diagnoses run in the same process (figures in ``make bench``).

    Objects built at start-up are moved out of the garbage collector's view (``gc.freeze``), which
    removed full-collection pauses of several hundred ms under load; a shorter GIL switch interval
    lets the thread answering Slack run sooner while diagnosis threads are busy.
    """
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)  # fewer, cheaper collections of what requests leave behind
    sys.setswitchinterval(0.0005)


def start_background(bot: Bot) -> tuple[list[Callable[[], None]], LazyWorkers | None]:
    """Settle plans a dead replica left half-done, then start the lazy workers and the scheduler.

    With ``LAZY_WORKERS`` > 0 the lazy listeners and the leader-only scheduler run in processes of
    their own and this process only verifies and acks; otherwise both run in this process's threads.
    Returns what to call, in order, at shutdown, and the lazy workers (None without them).
    """
    from bot.bootstrap.scheduling import build_scheduler
    from bot.services.startup import on_start

    on_start(bot)
    settings = bot.settings
    if settings.lazy_workers > 0:
        from bot.scheduler.process import SchedulerProcess
        from bot.slack.workers import LazyWorkers

        workers = LazyWorkers(settings.model_dump(), settings.lazy_workers).start()
        workers.attach(bot.app)
        scheduler_process = SchedulerProcess(settings.model_dump()).start()
        stops = [scheduler_process.stop, workers.stop]
    else:
        workers = None
        scheduler = build_scheduler(bot)
        scheduler.start()
        stops = [scheduler.stop]
    tune_for_serving()
    return stops, workers


def stop_all(stops: list[Callable[[], None]]) -> None:
    for stop in stops:
        stop()


def exit_on_sigterm() -> None:
    """SIGTERM (a pod being stopped) raises SystemExit, so the ``finally`` that stops the children runs.

    uvicorn shuts down gracefully on SIGTERM and then raises the signal again with the handler it found
    at start; with the default one the process would die there, before any of its own clean-up.
    """
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def serve_health(
    bot: Bot, workers: LazyWorkers | None, connected: Callable[[], bool], host: str, port: int
) -> Callable[[], None]:
    """``/healthz``, ``/readyz`` (database, the Slack connection, workers) and ``/metrics`` beside
    Socket Mode, served by uvicorn in a thread; returns what stops it."""
    import threading

    import uvicorn

    from bot.http import build_http_app

    server = uvicorn.Server(
        uvicorn.Config(
            build_http_app(bot, workers, socket_connected=connected),
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
