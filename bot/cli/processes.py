"""``chatops serve``, ``socket``, ``worker`` and ``migrate``: the bot's long-running processes and its schema.

Each imports what it needs when it runs, so the other commands start without uvicorn, Bolt or
SQLAlchemy.
"""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import one_line, settings_or_exit


def _migrate(url: str) -> int:
    """``bot.bootstrap.migrate``, with a database that cannot be reached said in one line (exit 2)."""
    from alembic.util import CommandError
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from bot.bootstrap import migrate
    from bot.preflight import _shown

    try:
        migrate(url)
    except ArgumentError:
        print(f"not a database URL ({url[:60]!r}): use sqlite:///PATH or postgresql+psycopg://...", file=sys.stderr)
        return 2
    except (SQLAlchemyError, CommandError) as exc:
        print(
            f"cannot migrate the database {_shown(url)}: {one_line(exc)}; check DATABASE_URL or --url", file=sys.stderr
        )
        return 2
    return 0


def _log_warnings(findings) -> None:
    """What ``serve`` / ``socket`` start despite (no approvers, no request channels), in the structured log."""
    import logging

    for finding in findings:
        if not finding.refuse:
            logging.getLogger("bot.cli").warning(finding.message)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot import logging_setup
    from bot.bootstrap import build
    from bot.http import build_http_app
    from bot.preflight import report, serve_findings
    from bot.serving import exit_on_sigterm, learn_installation, start_background, stop_all

    settings = settings_or_exit()
    findings = serve_findings(settings, migrate_first=args.migrate)
    if report(f for f in findings if f.refuse):
        return 2
    if args.migrate and _migrate(settings.database_url):
        return 2
    logging_setup.configure(settings.log_level)
    _log_warnings(findings)
    bot = build(settings)
    learn_installation(bot)
    http_app = build_http_app(bot)  # before start_background freezes the start-up heap
    stops = start_background(bot)
    exit_on_sigterm()
    try:
        uvicorn.run(http_app, host=args.host, port=args.port, log_config=None, access_log=False)
    finally:
        stop_all(stops)
    return 0


def cmd_socket(args: argparse.Namespace) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot import logging_setup
    from bot.bootstrap import build
    from bot.preflight import report, serve_findings
    from bot.serving import exit_on_sigterm, learn_installation, serve_health, start_background, stop_all

    settings = settings_or_exit()
    findings = serve_findings(settings, socket_mode=True)
    if report(f for f in findings if f.refuse):
        return 2
    logging_setup.configure(settings.log_level)
    _log_warnings(findings)
    bot = build(settings)
    learn_installation(bot)
    stops = start_background(bot)
    handler = SocketModeHandler(bot.app, settings.slack_app_token)
    if args.health_port:
        stops.append(serve_health(bot, handler.client.is_connected, args.host, args.health_port))
    exit_on_sigterm()
    try:
        handler.start()
    finally:
        stop_all(stops)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Job workers alone (a Deployment of their own): claim and run what the serving replicas acked."""
    from bot import logging_setup
    from bot.bootstrap import build
    from bot.preflight import report, serve_findings
    from bot.serving import run_workers

    settings = settings_or_exit()
    if args.threads is not None:
        settings = settings.model_copy(update={"worker_threads": args.threads})
    findings = serve_findings(settings, worker=True)
    if report(f for f in findings if f.refuse):
        return 2
    if settings.worker_threads < 1:
        print("chatops worker needs at least one thread: set WORKER_THREADS or --threads above 0", file=sys.stderr)
        return 2
    logging_setup.configure(settings.log_level)
    _log_warnings(findings)
    return run_workers(build(settings), args.host, args.health_port)


def cmd_migrate(args: argparse.Namespace) -> int:
    if _migrate(args.url or settings_or_exit().database_url):
        return 2
    print("migrated")
    return 0
