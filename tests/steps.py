"""Applying plan steps in tests exactly as ``ApplyService`` does (``bot.services.steps.apply_steps``),
with the first failure raised as itself (a ``StalePlan`` for a stale step)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain import PlanStep
from bot.services.steps import AppliedStep, StepsInterrupted, apply_steps
from handlers import registry


def run_steps(ctx: Any, steps: Sequence[PlanStep], operation: Any = registry.operation) -> list[AppliedStep]:
    try:
        return apply_steps(ctx, steps, operation)
    except StepsInterrupted as stopped:
        raise stopped.cause from None
