"""The risk model: every step has a risk, a plan is as risky as its riskiest step.

A step's risk is the higher of what its diagnoser judged (``PlanStep.risk``) and its operation's
floor (``Operation.min_risk``), so no diagnoser can propose an IAM change as a low-risk one. The
table of floors is in the README ("Risk and approvals"); ``HIGH`` needs two distinct approvers,
neither of them the requester.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.domain import FixPlan, PlanStep, Risk
from bot.store.records import PlanRecord

APPROVALS = {Risk.LOW: 1, Risk.MEDIUM: 1, Risk.HIGH: 2}


def floor_of(operation: Any) -> Risk:
    """An operation's floor; one that declares none is treated as ``HIGH`` (unknown is not safe)."""
    return Risk(getattr(operation, "min_risk", Risk.HIGH))


def step_risk(step: PlanStep, operation: Any) -> Risk:
    return Risk.highest((step.risk, floor_of(operation)))


def rated(plan: FixPlan, operation: Callable[[str], Any]) -> FixPlan:
    """``plan`` with every step at its effective risk and the plan at the highest of them."""
    steps = tuple(replace(s, risk=step_risk(s, operation(s.op))) for s in plan.steps)
    return replace(plan, steps=steps, risk=Risk.highest(s.risk for s in steps))


def approvals_needed(risk: Risk) -> int:
    return APPROVALS[Risk(risk)]


def approvals_recorded_plan_needs(plan: PlanRecord) -> int:
    """How many distinct approvers a recorded plan needs: two for HIGH risk, whatever the row says."""
    return max(plan.approvals_needed or 1, 2 if plan.risk == Risk.HIGH else 1)
