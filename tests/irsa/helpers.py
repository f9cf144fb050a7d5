"""Test helpers for the IRSA tests: fixture loading and a tiny plan runner.

``run_plan`` does what the services layer does for each step (read -> compare with ``before``
-> apply) so integration tests can apply a diagnosis's plan without Slack or a database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.domain import FixPlan, PlanStep
from handlers.irsa import OPERATIONS
from tests.steps import run_steps as steps_applied

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "irsa"
HOST = "oidc.eks.ap-northeast-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
PROVIDER = f"arn:aws:iam::111122223333:oidc-provider/{HOST}"
ACCOUNT = "111122223333"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def errors_fixture() -> list[dict[str, str]]:
    return [json.loads(line) for line in (FIXTURES / "errors.jsonl").read_text(encoding="utf-8").splitlines() if line]


def operation(name: str):
    return next(op for op in OPERATIONS if op.name == name)


def run_steps(ctx, steps: tuple[PlanStep, ...] | list[PlanStep]) -> list[Any]:
    """Apply steps like the services layer: refuse a stale one, return what each apply observed."""
    return [done.observed for done in steps_applied(ctx, steps, operation)]


def run_plan(ctx, plan: FixPlan) -> list[Any]:
    return run_steps(ctx, plan.steps)


def revert_steps(plan: FixPlan, observed: list[Any]) -> list[PlanStep]:
    undo = [operation(s.op).revert(s, o) for s, o in zip(reversed(plan.steps), reversed(observed), strict=True)]
    assert all(u is not None for u in undo)
    return undo
