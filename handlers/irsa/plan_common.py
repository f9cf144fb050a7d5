"""Small pieces the IRSA planners share: findings for what is left to a human or refused, and a plan. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.domain import Finding, FixPlan, Msg, PlanStep, Risk, Severity
from handlers.irsa.evidence import Evidence
from handlers.irsa.names import KIND


def manual(text: Msg) -> Finding:
    return Finding("irsa.plan.manual", Severity.WARNING, text)


def refused(text: Msg, reason: str, target: str) -> Finding:
    return Finding("irsa.plan.refused", Severity.WARNING, text, (Msg.same(reason),), target)


def one_plan(title: Msg, steps: Sequence[PlanStep], ev: Evidence, verify: Mapping[str, Any]) -> FixPlan:
    risk = Risk.highest(s.risk for s in steps)
    return FixPlan(KIND, title, tuple(steps), risk, ev.target, verify=dict(verify))
