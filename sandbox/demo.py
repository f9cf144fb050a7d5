"""``chatops demo``: run the scenarios end to end in the offline sandbox and show the threads.

Each scenario seeds a world, talks to the real HTTP app as a developer, approves as ops, and
checks the end state in the stand-ins (not in the bot's own words). Exit 0 only if every
scenario reached its expected end state.
"""

from __future__ import annotations

import io
import json
import logging
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console

from sandbox.aws import MotoSandbox
from sandbox.runtime import DEV, OPS, OPS2, REQUEST_CHANNEL, STRANGER, Sandbox
from sandbox.transcript import print_audit, print_threads


@dataclass(frozen=True)
class Outcome:
    ok: bool
    detail: str


ScenarioFn = Callable[[Sandbox], Outcome]
Scenario = tuple[ScenarioFn, ...]


def _scenarios() -> dict[str, Scenario]:
    from sandbox.scenarios import SCENARIOS

    return SCENARIOS


def run_scenario(name: str, parts: Scenario, moto: MotoSandbox, console: Console) -> tuple[Outcome, int]:
    """Run every part of a scenario, each in a fresh sandbox; ok only if every part is."""
    outcomes, rows = [], 0
    for part in parts:
        outcome, count = run_one(name if len(parts) == 1 else f"{name}: {part.__name__}", part, moto, console)
        outcomes.append(outcome)
        rows += count
    return Outcome(all(o.ok for o in outcomes), " | ".join(o.detail for o in outcomes)), rows


def run_one(name: str, fn: ScenarioFn, moto: MotoSandbox, console: Console) -> tuple[Outcome, int]:
    moto.reset()
    with Sandbox(moto=moto) as sandbox:
        started = time.monotonic()
        try:
            outcome = fn(sandbox)
        except Exception as exc:  # noqa: BLE001 - a scenario failure is reported, not raised
            outcome = Outcome(False, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")
        elapsed = time.monotonic() - started
        people = {DEV: "dev-kim", OPS: "ops-lee", OPS2: "ops-park", STRANGER: "someone"}
        console.rule(f"[bold]{name}[/bold] — {'OK' if outcome.ok else 'FAILED'} ({elapsed:.1f}s)")
        print_threads(console, sandbox.slack.messages(REQUEST_CHANNEL), people, f"#{REQUEST_CHANNEL} · {name}")
        for channel in sorted({c for c in sandbox.slack.channels() if c != REQUEST_CHANNEL}):
            print_threads(console, sandbox.slack.messages(channel), people, f"#{channel} · {name}")
        rows = sandbox.repo.audit_rows()
        print_audit(console, rows)
        console.print(f"{'✅' if outcome.ok else '❌'} {name}: {outcome.detail}")
        return outcome, len(rows)


def main(scenario: str = "", as_json: bool = False) -> int:
    logging.basicConfig(level=logging.ERROR)
    scenarios = _scenarios()
    names = [scenario] if scenario else list(scenarios)
    unknown = [n for n in names if n not in scenarios]
    if unknown:
        print(f"unknown scenario {unknown[0]!r}; choose from {', '.join(scenarios)}", file=sys.stderr)
        return 2
    console = Console(file=io.StringIO() if as_json else sys.stdout, width=120)
    moto = MotoSandbox()
    moto.start()
    results, audit_rows = [], 0
    try:
        for name in names:
            outcome, rows = run_scenario(name, scenarios[name], moto, console)
            audit_rows += rows
            results.append({"name": name, "ok": outcome.ok, "detail": outcome.detail})
    finally:
        moto.stop()
    if as_json:
        print(json.dumps({"scenarios": results, "audit_rows": audit_rows}, ensure_ascii=False))
    return 0 if all(r["ok"] for r in results) else 1
