"""The ``chatops`` command: serve, socket, migrate, parse, diagnose, audit, demo, check-trust, ...

Each sub-command imports what it needs when it runs, so ``chatops parse`` stays light and fast.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import importlib.util
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: each sub-command imports what it needs when it runs
    from bot.bootstrap import Bot
    from bot.slack.workers import LazyWorkers


def _settings():
    from bot.settings import Settings

    return Settings()


def refuse_unsafe_settings(settings) -> int:
    """0 when the settings are safe to serve with; otherwise print one line and return 2 (the exit status)."""
    if not settings.role_patterns:
        print("ROLE_ALLOW_PATTERNS is not set: set it to the IAM role patterns fixes may change "
              "(for example 'eks-*,AmazonEKS*'); refusing to start", file=sys.stderr)
        return 2
    return 0


def _learn_installation(bot: Bot) -> None:
    """Ask ``auth.test`` once at start-up for the installing workspace (kept; asked again on first use if it fails)."""
    import logging

    from bot.services.directory import LookupFailed

    try:
        team, enterprise = bot.deps.authorizer.directory.installation()
    except LookupFailed as exc:
        logging.getLogger("bot.cli").warning("auth.test failed; will ask again on the first request",
                                             extra={"error": str(exc)[:200]})
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


def _start_background(bot: Bot) -> tuple[list[Callable[[], None]], LazyWorkers | None]:
    """Settle plans a dead replica left half-done, then start the lazy workers and the scheduler.

    With ``LAZY_WORKERS`` > 0 the lazy listeners and the leader-only scheduler run in processes of
    their own and this process only verifies and acks; otherwise both run in this process's threads.
    Returns what to call, in order, at shutdown, and the lazy workers (None without them).
    """
    from bot.jobs import build_scheduler
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


def _stop_all(stops: list[Callable[[], None]]) -> None:
    for stop in stops:
        stop()


def _exit_on_sigterm() -> None:
    """SIGTERM (a pod being stopped) raises SystemExit, so the ``finally`` that stops the children runs.

    uvicorn shuts down gracefully on SIGTERM and then raises the signal again with the handler it found
    at start; with the default one the process would die there, before any of its own clean-up.
    """
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot import logging_setup
    from bot.bootstrap import build
    from bot.http import build_http_app
    from bot.store.migrate import upgrade

    settings = _settings()
    logging_setup.configure(settings.log_level)
    if refuse_unsafe_settings(settings):
        return 2
    if args.migrate:
        upgrade(settings.database_url)
    bot = build(settings)
    _learn_installation(bot)
    stops, workers = _start_background(bot)
    _exit_on_sigterm()
    try:
        uvicorn.run(build_http_app(bot, workers), host=args.host, port=args.port, log_config=None, access_log=False)
    finally:
        _stop_all(stops)
    return 0


def cmd_socket(args: argparse.Namespace) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot import logging_setup
    from bot.bootstrap import build

    settings = _settings()
    logging_setup.configure(settings.log_level)
    if refuse_unsafe_settings(settings):
        return 2
    if not settings.slack_app_token.startswith("xapp-"):
        print("SLACK_APP_TOKEN must be an app-level token (xapp-...) for Socket Mode", file=sys.stderr)
        return 2
    bot = build(settings)
    _learn_installation(bot)
    stops, _workers = _start_background(bot)
    _exit_on_sigterm()
    try:
        SocketModeHandler(bot.app, settings.slack_app_token).start()
    finally:
        _stop_all(stops)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from bot.store.migrate import upgrade

    upgrade(args.url or _settings().database_url)
    print("migrated")
    return 0


def cmd_parse(args: argparse.Namespace) -> int:
    from bot.parsing.cli import main as parse_main

    return parse_main(args.rest, sys.stdin, sys.stdout)


def cmd_diagnose(args: argparse.Namespace) -> int:
    from bot.diagnose_cli import run

    return run(" ".join(args.text), _settings(), sys.stdout)


# Spreadsheets run a cell that starts with one of these as a formula (OWASP, "CSV Injection"): such a
# cell is written with a leading single quote, so it shows as the text it was.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """An audit value as a CSV cell: dicts and lists as JSON, text that a spreadsheet would run neutralised."""
    if isinstance(value, dict | list):
        value = json.dumps(value, default=str)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cmd_audit(args: argparse.Namespace) -> int:
    from bot.store.db import make_engine, make_session_factory
    from bot.store.repo import Repo, as_dicts

    settings = _settings()
    repo = Repo(make_session_factory(make_engine(args.url or settings.database_url)))
    rows = as_dicts(repo.audit_rows(limit=args.limit))
    if args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["id"])
        writer.writeheader()
        for row in rows:
            writer.writerow({k: csv_cell(v) for k, v in row.items()})
    else:
        for row in rows:
            print(json.dumps(row, default=str, ensure_ascii=False))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    demo = load_sandbox_demo()
    if demo is None:
        print(
            "The demo runs on the offline sandbox, which ships with the source checkout, not with this "
            "package. Clone the repository and run `make demo` there.",
            file=sys.stderr,
        )
        return 2
    return demo.main(args.scenario, args.json)


def load_sandbox_demo():
    """The sandbox's demo module, loaded by name as a plugin: the bot itself never imports the sandbox.

    An editable install does not put the checkout on ``sys.path``, so a checkout that has
    ``sandbox/`` beside ``bot/`` is added; an installed wheel has neither and gets ``None``.
    """
    if importlib.util.find_spec("sandbox") is None:
        checkout = Path(__file__).resolve().parents[1]
        if not (checkout / "sandbox" / "__init__.py").is_file():
            return None
        sys.path.insert(0, str(checkout))
    return importlib.import_module("sandbox.demo")


def cmd_check_trust(args: argparse.Namespace) -> int:
    from handlers.irsa.cli import check_trust_main

    return check_trust_main(args.rest, sys.stdout)


def cmd_check_permission(args: argparse.Namespace) -> int:
    from handlers.irsa.cli import check_permission_main

    return check_permission_main(args.rest, sys.stdout)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatops", description="EKS ChatOps Slack bot")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="serve the Slack app over HTTP (/slack/events, /healthz, /readyz, /metrics)")
    p.add_argument("--host", default="0.0.0.0")
    p.add_argument("--port", type=int, default=3000)
    p.add_argument("--migrate", action="store_true", help="run database migrations first")
    p.set_defaults(func=cmd_serve)
    sub.add_parser("socket", help="run over Socket Mode (no inbound HTTP needed)").set_defaults(func=cmd_socket)
    p = sub.add_parser("migrate", help="bring the database schema up to date")
    p.add_argument("--url", default="")
    p.set_defaults(func=cmd_migrate)
    p = sub.add_parser("parse", help="print what the bot understands from a text (offline)", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_parse)
    p = sub.add_parser("diagnose", help="parse and diagnose from the terminal (no applying)")
    p.add_argument("text", nargs="+")
    p.set_defaults(func=cmd_diagnose)
    p = sub.add_parser("audit", help="print the audit log (JSON lines, or --csv)")
    p.add_argument("--csv", action="store_true")
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--url", default="")
    p.set_defaults(func=cmd_audit)
    p = sub.add_parser("demo", help="run the scenarios in the offline sandbox")
    p.add_argument("--scenario", default="", help="pod-restart, ingress, ingress-group, image-pull, image-pull-tgw, "
                   "rds, rds-multi-az-cluster, sysctl, sysctl-allowlisted, reports")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_demo)
    for name, func in (("check-trust", cmd_check_trust), ("check-permission", cmd_check_permission)):
        p = sub.add_parser(name, help=f"{name} (offline policy evaluation)", add_help=False)
        p.add_argument("rest", nargs=argparse.REMAINDER)
        p.set_defaults(func=func)
    return parser


PASSTHROUGH = {"parse": cmd_parse, "check-trust": cmd_check_trust, "check-permission": cmd_check_permission}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in PASSTHROUGH:  # these parse their own options (argparse REMAINDER drops leading --x)
        return int(PASSTHROUGH[argv[0]](argparse.Namespace(rest=argv[1:])) or 0)
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
