"""The ``chatops`` command: serve, socket, worker, migrate, parse, diagnose, audit, demo, check-trust, ...

Each sub-command imports what it needs when it runs, so ``chatops parse`` stays light and fast: the
processes are ``bot.cli.processes``, the offline readings ``bot.cli.parsing``, the audit export
``bot.cli.audit`` and the demo ``bot.cli.demo``; the features' own tools come from the registry.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.cli.audit import cmd_audit
from bot.cli.demo import cmd_demo
from bot.cli.parsing import cmd_diagnose, cmd_parse
from bot.cli.processes import cmd_migrate, cmd_serve, cmd_socket, cmd_worker
from handlers import registry  # light: each feature loads its diagnosers only when they are used
from handlers.base import Tool

DIST = "eks-chatops"  # the distribution name in pyproject.toml


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
