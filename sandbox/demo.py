"""``chatops demo``: run the scenarios end to end in the offline sandbox and show the threads.

Each scenario seeds a world, talks to the real HTTP app as a developer, approves as ops, and
checks the end state in the stand-ins (not in the bot's own words). Exit 0 only if every
scenario reached its expected end state.

Each scenario part keeps its audit log in a SQLite database of its own under ``demo_dir()``
(emptied at the start of each run); the demo ends with the command that reads each one. The
stand-ins' own loggers (moto's werkzeug server) are silenced; the bot's warnings still show.
"""

from __future__ import annotations

import getpass
import io
import json
import logging
import os
import re
import shlex
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console

from sandbox.aws import MotoSandbox
from sandbox.runtime import REQUEST_CHANNEL, Sandbox
from sandbox.transcript import print_audit, print_threads

# Loggers of the stand-ins, not of the bot: moto's server runs on werkzeug, and moto itself.
STAND_IN_LOGGERS = ("werkzeug", "moto")


@dataclass(frozen=True)
class Outcome:
    ok: bool
    detail: str


ScenarioFn = Callable[[Sandbox], Outcome]
Scenario = tuple[ScenarioFn, ...]


def _scenarios() -> dict[str, Scenario]:
    from sandbox.scenarios import SCENARIOS

    return SCENARIOS


def demo_dir() -> str:
    """Where the demo keeps its audit databases: one directory per user in the system temp dir."""
    return os.path.join(tempfile.gettempdir(), f"chatops-demo-{re.sub(r'[^A-Za-z0-9_.-]', '_', getpass.getuser())}")


def run_scenario(
    name: str, parts: Scenario, moto: MotoSandbox, console: Console, databases: list[tuple[str, str]] | None = None
) -> tuple[Outcome, int]:
    """Run every part of a scenario, each in a fresh sandbox; ok only if every part is."""
    outcomes, rows = [], 0
    for part in parts:
        outcome, count = run_one(
            name if len(parts) == 1 else f"{name}: {part.__name__}", part, moto, console, databases
        )
        outcomes.append(outcome)
        rows += count
    return Outcome(all(o.ok for o in outcomes), " | ".join(o.detail for o in outcomes)), rows


def _database_for(name: str, databases: list[tuple[str, str]] | None) -> str:
    """A SQLite URL in ``demo_dir()`` for this part (recorded in ``databases``), or "" for a temporary one."""
    if databases is None:
        return ""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    url = f"sqlite:///{os.path.join(demo_dir(), f'{len(databases) + 1:02d}-{slug}.db')}"
    databases.append((name, url))
    return url


def run_one(
    name: str, fn: ScenarioFn, moto: MotoSandbox, console: Console, databases: list[tuple[str, str]] | None = None
) -> tuple[Outcome, int]:
    moto.reset()
    with Sandbox(moto=moto, database_url=_database_for(name, databases)) as sandbox:
        started = time.monotonic()
        try:
            outcome = fn(sandbox)
        except Exception as exc:  # noqa: BLE001 - a scenario failure is reported, not raised
            outcome = Outcome(ok=False, detail=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")
        elapsed = time.monotonic() - started
        people, channels = sandbox.slack.user_names(), sandbox.slack.channel_names()
        console.rule(f"[bold]{name}[/bold] — {'OK' if outcome.ok else 'FAILED'} ({elapsed:.1f}s)")
        uploads = sandbox.slack.uploads
        for channel in [REQUEST_CHANNEL, *sorted(c for c in sandbox.slack.channels() if c != REQUEST_CHANNEL)]:
            print_threads(
                console,
                sandbox.slack.messages(channel),
                people,
                f"#{channels.get(channel, channel)} · {name}",
                uploads=uploads,
                channels=channels,
            )
        rows = sandbox.repo.audit_rows()
        print_audit(console, rows)
        console.print(f"{'✅' if outcome.ok else '❌'} {name}: {outcome.detail}")
        return outcome, len(rows)


def quiet_stand_ins() -> None:
    """Show the bot's warnings on stderr, and none of the stand-ins' (moto's "not implemented" notes)."""
    logging.basicConfig(level=logging.WARNING)
    for name in STAND_IN_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def print_where_the_logs_are(console: Console, databases: list[tuple[str, str]]) -> None:
    program = sys.argv[0] if os.path.basename(sys.argv[0]) == "chatops" else "chatops"
    console.rule("[bold]Audit logs[/bold]")
    console.print(
        f"Each scenario part kept its audit log in a SQLite database in {demo_dir()} "
        "(replaced by the next demo run). To read one:"
    )
    for name, url in databases:
        console.print(
            f"  [dim]{name}:[/dim] DATABASE_URL={shlex.quote(url)} {shlex.quote(program)} audit",
            soft_wrap=True,
            highlight=False,
        )


def main(scenario: str = "", *, as_json: bool = False) -> int:
    quiet_stand_ins()
    scenarios = _scenarios()
    names = [scenario] if scenario else list(scenarios)
    unknown = [n for n in names if n not in scenarios]
    if unknown:
        print(f"unknown scenario {unknown[0]!r}; choose from {', '.join(scenarios)}", file=sys.stderr)
        return 2
    console = Console(file=io.StringIO() if as_json else sys.stdout, width=120)
    shutil.rmtree(demo_dir(), ignore_errors=True)  # the previous run's logs
    os.makedirs(demo_dir(), exist_ok=True)
    databases: list[tuple[str, str]] = []
    moto = MotoSandbox()
    moto.start()
    results, audit_rows = [], 0
    try:
        for name in names:
            outcome, rows = run_scenario(name, scenarios[name], moto, console, databases)
            audit_rows += rows
            results.append({"name": name, "ok": outcome.ok, "detail": outcome.detail})
    finally:
        moto.stop()
    print_where_the_logs_are(console, databases)
    if as_json:
        print(json.dumps({"scenarios": results, "audit_rows": audit_rows}, ensure_ascii=False))
    return 0 if all(r["ok"] for r in results) else 1
