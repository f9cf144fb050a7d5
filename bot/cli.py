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
from collections.abc import Sequence
from pathlib import Path

from handlers import registry  # light: each feature loads its diagnosers only when they are used
from handlers.base import Tool

DIST = "eks-chatops"  # the distribution name in pyproject.toml


def _settings():
    """The settings from the environment; a setting that is not of its type ends the command in one line."""
    from bot.preflight import load_settings

    settings = load_settings()
    if isinstance(settings, str):
        print(settings, file=sys.stderr)
        raise SystemExit(2)
    return settings


def _one_line(exc: BaseException) -> str:
    """An exception as one line: the driver's own message for database errors, no traceback."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:300]


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
            f"cannot migrate the database {_shown(url)}: {_one_line(exc)}; check DATABASE_URL or --url", file=sys.stderr
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

    settings = _settings()
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

    settings = _settings()
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

    settings = _settings()
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
    if _migrate(args.url or _settings().database_url):
        return 2
    print("migrated")
    return 0


def slash_prefix(text: str, command: str) -> str | None:
    """The text after ``command`` (``/ops``) when ``text`` is a slash command's, else None."""
    stripped = text.lstrip()
    if stripped == command:
        return ""
    if stripped.startswith(command) and stripped[len(command) :][:1].isspace():
        return stripped[len(command) :].strip()
    return None


def parse_slash(text: str, out=None, err=None) -> int:
    """``chatops parse /ops ...``: the ``/ops`` text read by ``parse_command`` with the running bot's built-ins.

    The bot is built (in memory, nothing connects) so the built-in sub-commands its features register
    (``report``) are the ones the slash command knows; then the same ``parse_command`` call as the
    ``/ops`` listener (``bot.slack.listeners.commands``) reads the text.
    """
    from dataclasses import asdict

    from bot.bootstrap import build
    from bot.errors import UsageError
    from bot.services.commands import parse_command

    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    settings = _settings()
    bot = build(settings.model_copy(update={"database_url": "sqlite://", "clusters_file": ""}))
    rest = slash_prefix(text, settings.slash_command)
    try:
        cmd = parse_command(rest or "", frozenset(bot.deps.builtins))
    except UsageError as exc:
        err.write(f"usage error: {exc.message}\n")
        return 2
    finally:
        bot.engine.dispose()
    out.write(json.dumps({"command": settings.slash_command, **asdict(cmd)}, ensure_ascii=False) + "\n")
    return 0


def cmd_parse(args: argparse.Namespace) -> int:
    import io

    from bot.parsing.cli import main as parse_main
    from bot.services.reading import VOCABULARY

    rest = list(args.rest)
    slash = _slash_command()
    if rest in (["-h"], ["--help"]):
        parse_main(rest, VOCABULARY, sys.stdin, sys.stdout)
        sys.stdout.write(
            f"       chatops parse {slash} TEXT...  (or `{slash} ...` on stdin with -): the text read as "
            f"the {slash} slash command reads it, printed as the command it becomes; exit 2 with "
            "Slack's usage error when it would answer one\n"
        )
        return 0
    if rest and slash_prefix(rest[0], slash) is not None:  # chatops parse /ops pods -A
        return parse_slash(" ".join(rest))
    if rest == ["-"]:
        raw = getattr(sys.stdin, "buffer", None)
        text = raw.read().decode("utf-8", "replace") if raw is not None else sys.stdin.read()
        if slash_prefix(text, slash) is not None:  # echo '/ops rds list' | chatops parse -
            return parse_slash(text.strip())
        return parse_main(rest, VOCABULARY, io.StringIO(text), sys.stdout)
    return parse_main(rest, VOCABULARY, sys.stdin, sys.stdout)


def _slash_command() -> str:
    import os

    return os.environ.get("SLASH_COMMAND", "").strip() or "/ops"


def cmd_diagnose(args: argparse.Namespace) -> int:
    from bot.diagnose_cli import main
    from bot.preflight import load_settings

    return main(args.rest, load_settings, sys.stdout, sys.stderr)


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
    from bot.preflight import database
    from bot.store.db import make_engine, make_session_factory
    from bot.store.repo import Repo, as_dicts

    url = args.url or _settings().database_url
    problem = database(url, purpose="audit")  # before an engine exists: SQLite would create the file
    if problem:
        print(problem, file=sys.stderr)
        return 2
    engine = make_engine(url)
    try:
        rows = as_dicts(Repo(make_session_factory(engine)).audit_rows(limit=args.limit))
    finally:
        engine.dispose()
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
    return demo.main(args.scenario, as_json=args.json)


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


def feature_tool(tool: Tool):
    """A feature's sub-command as the ``chatops`` entry point runs it."""

    def run(args: argparse.Namespace) -> int:
        return tool.run(args.rest, sys.stdout)

    return run


class _Parser(argparse.ArgumentParser):
    """argparse, with a mistake said in one line that points at ``--help`` (not the usage block)."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version(DIST)
    except PackageNotFoundError:
        return "unknown (not installed; run from a source checkout)"


DEMO_SCENARIOS = (
    "pod-restart, ingress, ingress-group, image-pull, image-pull-tgw, rds, rds-multi-az-cluster, "
    "sysctl, sysctl-allowlisted, reports"
)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="chatops",
        description="EKS ChatOps Slack bot",
        epilog="exit status: 0 done; 1 a check's answer was no (check-trust, check-permission) or a "
        "diagnosis failed; 2 bad input or missing setup, said in one line on stderr",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {version()}", help="print the installed version and exit"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser(
        "serve",
        help="serve the Slack app over HTTP (/slack/events, /healthz, /readyz, /metrics)",
        description="Serve the Slack app over HTTP. Refuses to start (exit 2, one line) without "
        "ROLE_ALLOW_PATTERNS, real Slack credentials, a migrated database, AWS "
        "credentials or a way to reach the cluster; warns when no approvers are set.",
    )
    p.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    p.add_argument("--port", type=int, default=3000, help="port to listen on (default 3000)")
    p.add_argument("--migrate", action="store_true", help="run database migrations first")
    p.set_defaults(func=cmd_serve, parser=p)
    p = sub.add_parser(
        "socket",
        help="run over Socket Mode (no inbound HTTP needed; needs SLACK_APP_TOKEN)",
        description="Run over Socket Mode. Checks the same settings as serve, with SLACK_APP_TOKEN "
        "(xapp-...) instead of the signing secret.",
    )
    p.add_argument(
        "--health-port",
        type=int,
        default=0,
        help="also serve /healthz, /readyz and /metrics on this port (default 0: none)",
    )
    p.add_argument("--host", default="0.0.0.0", help="address the health port listens on (default 0.0.0.0)")
    p.set_defaults(func=cmd_socket, parser=p)
    p = sub.add_parser(
        "worker",
        help="run job workers only: they answer what serve or socket replicas acked (no Slack endpoint)",
        description="Run job workers without a Slack endpoint, for a Deployment of their own. Checks "
        "the same settings as serve, except the Slack signing secret. On SIGTERM it stops claiming, "
        "lets running jobs finish within SHUTDOWN_GRACE_SECONDS and releases the rest.",
    )
    p.add_argument("--threads", type=int, default=None, help="worker threads (default: WORKER_THREADS)")
    p.add_argument(
        "--health-port", type=int, default=0, help="serve /healthz, /readyz and /metrics on this port (default 0: none)"
    )
    p.add_argument("--host", default="0.0.0.0", help="address the health port listens on (default 0.0.0.0)")
    p.set_defaults(func=cmd_worker, parser=p)
    p = sub.add_parser("migrate", help="bring the database schema up to date (creates a SQLite file if needed)")
    p.add_argument("--url", default="", help="SQLAlchemy URL of the database (default: DATABASE_URL)")
    p.set_defaults(func=cmd_migrate, parser=p)
    sub.add_parser(
        "parse",
        help="print what the bot understands from a text, offline; `/ops ...` text is read "
        "as the slash command reads it (chatops parse --help)",
        add_help=False,
    )
    sub.add_parser(
        "diagnose",
        help="parse and diagnose from the terminal, never applying: "
        "diagnose [--cluster NAME] TEXT (chatops diagnose --help)",
        add_help=False,
    )
    p = sub.add_parser("audit", help="print the audit log (JSON lines, or --csv)")
    p.add_argument("--csv", action="store_true", help="write CSV (cells a spreadsheet would run are neutralised)")
    p.add_argument("--limit", type=int, default=0, help="only the latest N rows (default 0: all)")
    p.add_argument("--url", default="", help="SQLAlchemy URL of the database (default: DATABASE_URL)")
    p.set_defaults(func=cmd_audit, parser=p)
    p = sub.add_parser("demo", help="run the scenarios in the offline sandbox (source checkout only)")
    p.add_argument("--scenario", default="", help=f"run only this scenario: {DEMO_SCENARIOS} (default: all)")
    p.add_argument("--json", action="store_true", help="print one JSON document: scenarios and audit row count")
    p.set_defaults(func=cmd_demo, parser=p)
    for tool in registry.tools():  # they parse their own arguments (PASSTHROUGH)
        sub.add_parser(tool.name, add_help=False, help=tool.help)
    return parser


# These parse their own options (argparse REMAINDER drops leading --x, and free text may hold -A or --cluster).
PASSTHROUGH = {
    "parse": cmd_parse,
    "diagnose": cmd_diagnose,
    **{tool.name: feature_tool(tool) for tool in registry.tools()},
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in PASSTHROUGH:
        return int(PASSTHROUGH[argv[0]](argparse.Namespace(rest=argv[1:])) or 0)
    args, extra = build_parser().parse_known_args(argv)
    if extra:  # said by the sub-command's parser, so the line points at its own --help
        args.parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
