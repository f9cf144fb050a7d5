"""``chatops parse`` and ``chatops diagnose``: what the bot reads from a text, offline, and a
diagnosis from the terminal that never applies anything."""

from __future__ import annotations

import argparse
import json
import sys

from bot.cli.common import settings_or_exit


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
    settings = settings_or_exit()
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
